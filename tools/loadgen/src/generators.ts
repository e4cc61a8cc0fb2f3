// Value generators for body template variables, parsed once from `--var name=spec`:
//   range:u1..u100000  random integer in [1, 100000] with the prefix "u"
//   list:a,b,c         one of the listed values, at random
//   file:ids.txt       one non-empty line of the file, at random (the file is read once)
//   uuid               a random v4 UUID
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from './method-resolver.js';

/** Produces one value per request. Must be cheap: it runs on the hot path. */
export type ValueGenerator = () => string;

export type RandomSource = () => number;

export interface VariableSpec {
  readonly name: string;
  readonly generator: ValueGenerator;
}

/** Parses `name=spec`; `random` is injectable so tests can pin the choices. */
export function parseVariable(text: string, random: RandomSource = Math.random): VariableSpec {
  const equals = text.indexOf('=');
  const name = equals > 0 ? text.slice(0, equals) : '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--var must look like name=spec, got "${text}"`);
  return { name, generator: parseGenerator(text.slice(equals + 1), random) };
}

export function parseGenerator(spec: string, random: RandomSource = Math.random): ValueGenerator {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const argument = colon < 0 ? '' : spec.slice(colon + 1);
  switch (kind) {
    case 'range':
      return rangeGenerator(argument, random);
    case 'list':
      return pickGenerator(argument.split(',').filter((v) => v.length > 0), `list:${argument}`, random);
    case 'file':
      return pickGenerator(readLines(argument), `file:${argument}`, random);
    case 'uuid':
      if (argument !== '') throw new UsageError(`uuid takes no argument, got "${spec}"`);
      return randomUUID;
    default:
      throw new UsageError(`unknown generator "${spec}" (use range:, list:, file: or uuid)`);
  }
}

function rangeGenerator(argument: string, random: RandomSource): ValueGenerator {
  // "u1..u100000": the prefix is what precedes the first digit and must match on both ends.
  const match = /^(.*?)(-?\d+)\.\.(.*?)(-?\d+)$/.exec(argument);
  if (match === null || match[1] !== match[3]) {
    throw new UsageError(`range must look like [prefix]LOW..[prefix]HIGH, got "range:${argument}"`);
  }
  const prefix = match[1];
  const low = Number(match[2]);
  const high = Number(match[4]);
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high < low) {
    throw new UsageError(`range bounds must be integers with LOW <= HIGH, got "range:${argument}"`);
  }
  const span = high - low + 1;
  return () => prefix + (low + Math.floor(random() * span));
}

function pickGenerator(values: readonly string[], spec: string, random: RandomSource): ValueGenerator {
  if (values.length === 0) throw new UsageError(`${spec} has no values`);
  if (values.length === 1) {
    const only = values[0];
    return () => only;
  }
  return () => values[Math.floor(random() * values.length)];
}

function readLines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}
