import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPTIONS, type OptionName } from '../src/config/options.js';
import { helpText, parseArguments, parseOptionFile } from '../src/config/parse-config.js';
import { ConfigError } from '../src/errors/config-error.js';

const noFile = (path: string): string => {
  throw new Error(`no file ${path}`);
};

describe('server configuration', () => {
  it('uses the defaults with no arguments', () => {
    const { config, sources } = parseArguments([], noFile);
    expect(config.port).toBe(3307);
    expect(config.bind_address).toBe('127.0.0.1');
    expect(config.locking_mode).toBe('range');
    expect(config.slave_parallel_mode).toBe('optimistic');
    expect(sources.size).toBe(0);
  });

  it('accepts dashes and underscores, inline and separate values, sizes and booleans', () => {
    const { config, sources } = parseArguments(
      ['--datadir', '/d', '--server_id=7', '--max-allowed-packet=16M', '--read-only', '--skip-log-slave-updates', '--SLAVE-PARALLEL-MODE=Conservative'],
      noFile,
    );
    expect(config).toMatchObject({ datadir: '/d', server_id: 7, max_allowed_packet: 16 * 1024 * 1024, read_only: true, log_slave_updates: false, slave_parallel_mode: 'conservative' });
    expect(sources.get('server_id')).toBe('--server-id');
  });

  it('reads an option file, and flags override it', () => {
    const file = ['# comment', '[client]', 'port = 1', '[mysqld]', 'port = 3400', 'server-id = 3', 'bind_address = "127.0.0.2"', 'read_only', '[lockstep]', 'slave_parallel_threads = 8'].join('\n');
    const { config, sources } = parseArguments(['--defaults-file=/etc/my.cnf', '--port=3500'], (path) => {
      expect(path).toBe('/etc/my.cnf');
      return file;
    });
    expect(config).toMatchObject({ port: 3500, server_id: 3, bind_address: '127.0.0.2', read_only: true, slave_parallel_threads: 8 });
    expect(sources.get('server_id')).toBe('/etc/my.cnf:6');
    expect(sources.get('port')).toBe('--port');
  });

  it('names the option, value and place of every bad input', () => {
    const cases: [string[], RegExp][] = [
      [['--port=70000'], /--port: port: 70000 is outside 0\.\.65535/],
      [['--port=abc'], /port: "abc" is not a whole number/],
      [['--no-such-thing=1'], /--no-such-thing: unknown option/],
      [['--slave-parallel-mode=fast'], /"fast" is not one of none, minimal, conservative, optimistic, aggressive/],
      [['--read-only=maybe'], /"maybe" is not a boolean/],
      [['--datadir'], /needs a value/],
      [['datadir'], /expected an option starting with --/],
      [['--defaults-file=/missing'], /cannot read \/missing/],
    ];
    for (const [argv, message] of cases) {
      let caught: unknown;
      try {
        parseArguments(argv, noFile);
      } catch (error) {
        caught = error;
      }
      expect(caught, argv.join(' ')).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).message).toMatch(message);
    }
    expect(() => parseOptionFile('[mysqld]\nport = 1\nbogus = 2\n', 'my.cnf')).toThrow(/my\.cnf:3: bogus: unknown option/);
  });

  it('round-trips any valid configuration through flags and through an option file', () => {
    const intNames = (Object.keys(OPTIONS) as OptionName[]).filter((n) => OPTIONS[n].spec.kind === 'int');
    fc.assert(
      fc.property(fc.constantFrom(...intNames), fc.nat(), fc.boolean(), (name, raw, viaFile) => {
        const spec = OPTIONS[name].spec as { min: number; max: number };
        const value = spec.min + (raw % Math.min(spec.max - spec.min + 1, 1_000_000));
        const flag = `--${name.replaceAll('_', '-')}=${value}`;
        const parsed = viaFile
          ? parseArguments(['--config', 'f.cnf'], () => `[mysqld]\n${name} = ${value}\n`)
          : parseArguments([flag], noFile);
        expect(parsed.config[name]).toBe(value);
      }),
    );
  });

  it('documents every option in --help', () => {
    const text = helpText();
    for (const name of Object.keys(OPTIONS)) expect(text).toContain(`--${name.replaceAll('_', '-')}`);
    expect(parseArguments(['--help'], noFile).help).toBe(true);
  });
});
