/**
 * Java classes of one package use each other without imports: those uses are edges, so the build
 * order writes the used class first. Real code: java.util.zip from the JDK's src.zip
 * (openjdk-17-source).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { tempDir, writeTree } from './helpers.ts';

const srcZip = '/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip';
const zip = 'java/util/zip';

describe.skipIf(!existsSync(srcZip))('same-package type uses (java.util.zip)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    const root = tempDir();
    execFileSync('unzip', ['-q', srcZip, `java.base/${zip}/*.java`, '-d', root]);
    g = await indexRepo(join(root, 'java.base'), { workers: 0, cache: false });
  });

  it('are edges of kind java-package: a superclass and a field type', () => {
    // `class GZIPInputStream extends InflaterInputStream { protected CRC32 crc = new CRC32(); ..`
    expect(g.dependencies(`${zip}/GZIPInputStream.java`)).toEqual(expect.arrayContaining([`${zip}/InflaterInputStream.java`, `${zip}/CRC32.java`]));
    const kinds = g.importsOf(`${zip}/GZIPInputStream.java`).filter((i) => i.target === `${zip}/CRC32.java`).map((i) => i.spec.kind);
    expect(kinds).toEqual(['java-package']);
  });

  it('put the used class first in the build order', () => {
    const order = g.buildOrder().order;
    expect(order.indexOf(`${zip}/InflaterInputStream.java`)).toBeLessThan(order.indexOf(`${zip}/GZIPInputStream.java`));
  });
});

describe('a same-package name shadowed by a single-type import', () => {
  it('is no edge to the same-package class', async () => {
    const root = writeTree(tempDir(), {
      'a/List.java': 'package a;\npublic class List {}\n',
      'a/User.java': 'package a;\nimport java.util.List;\npublic class User { List<String> names; }\n',
    });
    const g = await indexRepo(root, { workers: 0, cache: false });
    expect(g.dependencies('a/User.java')).toEqual([]);
  });
});
