import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appVersion, packageVersion } from './build-info.js';

describe('appVersion', () => {
  it('is the package version when the build says nothing', () => {
    expect(appVersion('0.1.0', {})).toBe('0.1.0');
    expect(appVersion('0.1.0', { BUILD_VERSION: ' ', GIT_SHA: '' })).toBe('0.1.0');
  });

  it('carries the commit as build metadata, cut to 12 characters', () => {
    expect(appVersion('0.1.0', { GIT_SHA: '3f2c9ab1d0e4aa77b2c1' })).toBe('0.1.0+3f2c9ab1d0e4');
  });

  it('is BUILD_VERSION whenever it is set, over the package and the commit', () => {
    expect(appVersion('0.1.0', { BUILD_VERSION: '2026.12.04-canary', GIT_SHA: 'abc' })).toBe('2026.12.04-canary');
  });
});

describe('packageVersion', () => {
  it("reads the version of the package the dist folder belongs to", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'build-info-'));
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', version: '1.2.3' }));
    expect(packageVersion(path.join(root, 'dist'))).toBe('1.2.3');
  });

  it('refuses a package without a version, naming the file', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'build-info-'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x' }));
    expect(() => packageVersion(path.join(root, 'dist'))).toThrow(/package\.json has no version/);
  });
});
