// The part of autocannon 9's API the benchmark uses (scripts/bench/load.ts). autocannon ships
// no types and @types/autocannon is not a dependency; these follow its README.
declare module 'autocannon' {
  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request; its return value is sent. */
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
    /** Called with each response; `body` is the response text. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }

  export interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** A number of requests to send instead of a duration. */
    amount?: number;
    requests?: Request[];
  }

  /** Latency percentiles, in milliseconds. */
  export interface Histogram {
    average: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }

  export interface Result {
    /** Seconds actually run. */
    duration: number;
    latency: Histogram;
    errors: number;
    timeouts: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  }

  export default function autocannon(options: Options): Promise<Result>;
}
