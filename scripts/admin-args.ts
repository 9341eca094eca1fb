// The admin CLI's command line (scripts/admin.ts), parsed by a pure function with no Node APIs,
// so test/unit/admin-sql.test.ts checks it in the Workers runtime next to the SQL. No import
// extension, for the same reason as ./admin-sql.ts.
import { AdminInputError } from './admin-sql';

/**
 * Which storage a command acts on, as the arguments appended to every wrangler call:
 * `['--local']` (the state of `npm start` under .wrangler/), `['--local', '--persist-to', dir]`
 * (another local state, such as a test server's) or `['--remote']` (the deployed one).
 */
export type Where = readonly string[];

/** Options that take a value: `--user alice` or `--user=alice`. */
export const VALUE_OPTIONS = ['--user', '--event', '--since', '--persist-to'] as const;
export type ValueOption = (typeof VALUE_OPTIONS)[number];
/** Value options every command takes: they choose the storage, not what the command does. */
const GLOBAL_OPTIONS: readonly ValueOption[] = ['--persist-to'];
/** Options without a value. */
const FLAGS = ['--local', '--remote', '--help'] as const;

interface CommandSpec {
  /** How many positional arguments. */
  arity: number;
  /** Which value options it takes (none by default). */
  options?: readonly ValueOption[];
}

export const COMMANDS: Record<string, CommandSpec> = {
  'make-admin': { arity: 1 },
  'set-role': { arity: 2 },
  'list-users': { arity: 0 },
  'find-user': { arity: 1 },
  'delete-user': { arity: 1 },
  'revoke-sessions': { arity: 1 },
  'reset-mfa': { arity: 1 },
  stats: { arity: 0 },
  audit: { arity: 0, options: ['--user', '--event', '--since'] },
  'create-org': { arity: 1 },
  'add-member': { arity: 3 },
  'create-client': { arity: 2 },
  'revoke-client': { arity: 1 },
  'list-orgs': { arity: 0 },
};

export type CommandLine =
  | { help: true }
  | {
      help: false;
      command: string;
      args: string[];
      where: Where;
      /** The value options given, by name without the dashes (`user`, `event`, `since`). */
      options: Partial<Record<'user' | 'event' | 'since', string>>;
    };

const isValueOption = (name: string): name is ValueOption => (VALUE_OPTIONS as readonly string[]).includes(name);
const isFlag = (name: string): name is (typeof FLAGS)[number] => (FLAGS as readonly string[]).includes(name);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Splits argv into the command, its arguments and options, in any order. After a bare `--`
 * every word is an argument (`find-user -- --text`). `--persist-to <dir>` (any command) acts
 * on the local state in that directory, as `wrangler dev --persist-to <dir>` keeps it. Refused,
 * with AdminInputError: an unknown option, a value option without its value or given twice, an
 * option the command does not take, --local with --remote, --persist-to with --remote, an
 * unknown command, the wrong number of arguments. `--help`, or no
 * command, asks for the usage whatever else is there.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const words: string[] = [];
  const flags = new Set<string>();
  const options: Partial<Record<ValueOption, string>> = {};
  let problem: string | undefined;
  const refuse = (message: string) => (problem ??= message);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (isValueOption(name)) {
      let value = eq === -1 ? undefined : arg.slice(eq + 1);
      const next = argv[i + 1];
      if (eq === -1 && next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
      if (!value) refuse(`${name} needs a value`);
      else if (options[name] !== undefined) refuse(`Give ${name} once`);
      else options[name] = value;
    } else if (eq === -1 && isFlag(arg)) {
      flags.add(arg);
    } else {
      refuse(`Unknown option ${arg}`);
    }
  }
  const [command, ...args] = words;
  if (!command || flags.has('--help')) return { help: true };
  if (problem) throw new AdminInputError(problem);
  if (flags.has('--local') && flags.has('--remote')) throw new AdminInputError('Give --local or --remote, not both');
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) throw new AdminInputError(`Unknown command ${JSON.stringify(command)}`);
  const persistTo = options['--persist-to'];
  if (persistTo !== undefined && flags.has('--remote')) throw new AdminInputError('--persist-to names a local state; it cannot go with --remote');
  const stray = VALUE_OPTIONS.find((o) => options[o] !== undefined && !GLOBAL_OPTIONS.includes(o) && !spec.options?.includes(o));
  if (stray) throw new AdminInputError(`${command} takes no ${stray} option`);
  if (args.length !== spec.arity) throw new AdminInputError(`${command} takes ${plural(spec.arity, 'argument')}, got ${args.length}`);
  return {
    help: false,
    command,
    args,
    where: flags.has('--remote') ? ['--remote'] : persistTo === undefined ? ['--local'] : ['--local', '--persist-to', persistTo],
    options: { user: options['--user'], event: options['--event'], since: options['--since'] },
  };
}
