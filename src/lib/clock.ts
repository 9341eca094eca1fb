/** The one place that reads the wall clock, so token and session code can take `now` as input. */
export const now = (): number => Date.now();

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
