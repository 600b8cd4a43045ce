import { ConfigError } from '../errors/config-error.js';
import { OPTIONS, canonicalName, isOptionName, type OptionName, type OptionSpec, type ServerConfig } from './options.js';

type OptionValue = string | number | boolean | readonly string[];

const SIZE_SUFFIX: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses one value for `name` from text; throws ConfigError naming option, value and source. */
export function parseValue(name: OptionName, text: string, source: string): string | number | boolean {
  const spec: OptionSpec = OPTIONS[name].spec;
  const value = text.trim();
  switch (spec.kind) {
    case 'string':
    case 'list':
      return value;
    case 'enum': {
      const lower = value.toLowerCase();
      if (!spec.values.includes(lower)) throw new ConfigError(name, source, `"${value}" is not one of ${spec.values.join(', ')}`);
      return lower;
    }
    case 'bool': {
      const lower = value.toLowerCase();
      if (['1', 'on', 'true', 'yes', ''].includes(lower)) return true;
      if (['0', 'off', 'false', 'no'].includes(lower)) return false;
      throw new ConfigError(name, source, `"${value}" is not a boolean (use ON/OFF, 1/0, true/false)`);
    }
    case 'int':
    case 'size': {
      const match = spec.kind === 'size' ? /^(\d+)([kmg])?$/i.exec(value) : /^(\d+)$/.exec(value);
      if (match === null) throw new ConfigError(name, source, `"${value}" is not ${spec.kind === 'size' ? 'a size (digits, optional K/M/G)' : 'a whole number'}`);
      const n = Number(match[1]) * (match[2] === undefined ? 1 : SIZE_SUFFIX[match[2].toLowerCase()]!);
      if (!Number.isSafeInteger(n) || n < spec.min || n > spec.max) throw new ConfigError(name, source, `${value} is outside ${spec.min}..${spec.max}`);
      return n;
    }
  }
}

/** Values from an option file (my.cnf style): `[mysqld]`, `[server]`, `[lockstep]` sections; `#`/`;` comments. */
export function parseOptionFile(text: string, fileName: string): Map<OptionName, { value: OptionValue; source: string }> {
  const out = new Map<OptionName, { value: OptionValue; source: string }>();
  let inOurSection = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const source = `${fileName}:${i + 1}`;
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section !== null) {
      inOurSection = ['mysqld', 'server', 'lockstep', 'lockstep-server'].includes(section[1]!.trim().toLowerCase());
      continue;
    }
    if (!inOurSection) continue;
    const eq = line.indexOf('=');
    const rawName = eq === -1 ? line : line.slice(0, eq);
    let rawValue = eq === -1 ? '' : line.slice(eq + 1).trim();
    if (rawValue.length >= 2 && ((rawValue.startsWith('"') && rawValue.endsWith('"')) || (rawValue.startsWith("'") && rawValue.endsWith("'")))) rawValue = rawValue.slice(1, -1);
    const name = canonicalName(rawName);
    if (!isOptionName(name)) throw new ConfigError(rawName.trim(), source, 'unknown option');
    const value = parseValue(name, rawValue, source);
    const previous = out.get(name);
    if (OPTIONS[name].spec.kind === 'list') out.set(name, { value: [...((previous?.value as string[] | undefined) ?? []), value as string], source });
    else out.set(name, { value, source });
  }
  return out;
}

export interface ParsedArguments {
  readonly config: ServerConfig;
  /** Where each non-default value came from (`--port`, `my.cnf:3`). */
  readonly sources: ReadonlyMap<OptionName, string>;
  readonly help: boolean;
  readonly optionFile: string | undefined;
}

/**
 * Resolves the configuration from command-line arguments, reading `--defaults-file=F`
 * (or `--config F`) through `readFile` first; flags override the file. Accepts
 * `--name=value`, `--name value`, and `--flag` / `--skip-flag` for booleans.
 */
export function parseArguments(argv: readonly string[], readFile: (path: string) => string): ParsedArguments {
  const values = new Map<OptionName, { value: OptionValue; source: string }>();
  const flags: [OptionName, string | undefined, string][] = [];
  let optionFile: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'command line', 'expected an option starting with --');
    const eq = arg.indexOf('=');
    let name = canonicalName(arg.slice(2, eq === -1 ? undefined : eq));
    let inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === 'defaults_file' || name === 'config') {
      optionFile = inline ?? argv[++i];
      if (optionFile === undefined) throw new ConfigError(arg, 'command line', 'needs a file name');
      continue;
    }
    if (name.startsWith('skip_') && isOptionName(name.slice(5)) && OPTIONS[name.slice(5) as OptionName].spec.kind === 'bool') {
      name = name.slice(5);
      inline = 'OFF';
    }
    if (!isOptionName(name)) throw new ConfigError(`--${arg.slice(2, eq === -1 ? undefined : eq)}`, 'command line', 'unknown option');
    if (inline === undefined && OPTIONS[name].spec.kind !== 'bool') {
      inline = argv[++i];
      if (inline === undefined) throw new ConfigError(`--${name}`, 'command line', 'needs a value');
    }
    flags.push([name, inline, `--${name.replaceAll('_', '-')}`]);
  }
  if (optionFile !== undefined) {
    let text: string;
    try {
      text = readFile(optionFile);
    } catch (error) {
      throw new ConfigError('defaults-file', 'command line', `cannot read ${optionFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const [name, entry] of parseOptionFile(text, optionFile)) values.set(name, entry);
  }
  const listsFromFlags = new Set<OptionName>();
  for (const [name, text, source] of flags) {
    const value = parseValue(name, text ?? '', source);
    if (OPTIONS[name].spec.kind === 'list') {
      // Flags replace the file's list as a whole (as any flag overrides the file), then add up.
      const previous = listsFromFlags.has(name) ? ((values.get(name)?.value as readonly string[] | undefined) ?? []) : [];
      listsFromFlags.add(name);
      values.set(name, { value: [...previous, value as string], source });
    } else values.set(name, { value, source });
  }
  const config: Record<string, OptionValue> = {};
  const sources = new Map<OptionName, string>();
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const entry = values.get(name);
    config[name] = entry?.value ?? OPTIONS[name].spec.default;
    if (entry !== undefined) sources.set(name, entry.source);
  }
  return { config: config as ServerConfig, sources, help, optionFile };
}

/** The `--help` text: every option, its default and what it does. */
export function helpText(): string {
  const lines = ['usage: lockstep-server [--defaults-file=FILE] [--option=value ...]', ''];
  for (const [name, { spec, help }] of Object.entries(OPTIONS)) {
    const flag = `--${name.replaceAll('_', '-')}`;
    const type = spec.kind === 'enum' ? spec.values.join('|') : spec.kind === 'list' ? 'string, repeatable' : spec.kind;
    lines.push(`  ${flag.padEnd(30)} ${help} (${type}, default ${JSON.stringify(spec.default)})`);
  }
  return lines.join('\n');
}
