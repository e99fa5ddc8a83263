// The repository's documentation: every Markdown link resolves inside the
// repository (file and heading), nothing points outside it, and the README
// stays short enough to read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const markdown = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n').filter((f) => f && existsSync(join(root, f)));

// GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes.
const slug = (heading) => heading.trim().toLowerCase()
  .replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

function anchors(file) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map();
  const out = new Set();
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

// [text](target) outside code blocks and inline code.
function links(text) {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

test('there are documents to check', () => {
  for (const f of ['README.md', 'docs/connectors.md', 'docs/http-api.md', 'docs/configuration.md', 'docs/security.md', 'docs/behaviour.md']) {
    assert.ok(markdown.includes(f), f);
  }
});

for (const file of markdown) {
  test(`${file}: every link resolves inside the repository`, () => {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(text, /\.\.\/shared|SPEC\.md|TOOLCHAIN\.md|STYLE\.md/, 'refers to a document outside the repository');
    for (const target of links(text)) {
      assert.doesNotMatch(target, /^[a-z][a-z0-9+.-]*:/i, `${target}: links outside the repository`);
      const [where, anchor] = target.split('#');
      const linked = where ? resolve(dirname(path), decodeURI(where)) : path;
      assert.ok(!relative(root, linked).startsWith('..'), `${target}: outside the repository`);
      assert.ok(existsSync(linked), `${target}: no such file`);
      if (anchor !== undefined) {
        assert.ok(statSync(linked).isFile() && linked.endsWith('.md'), `${target}: an anchor into something that is not a Markdown file`);
        assert.ok(anchors(linked).has(anchor), `${target}: no such heading in ${relative(root, linked)}`);
      }
    }
  });
}

test('the README is at most 20 KB', () => {
  const bytes = statSync(join(root, 'README.md')).size;
  assert.ok(bytes <= 20_000, `README.md is ${bytes} bytes`);
});

test('no document narrates internal issue numbers', () => {
  for (const file of markdown) {
    assert.doesNotMatch(readFileSync(join(root, file), 'utf8'), /\bissue \d+\b/i, file);
  }
});

test('no source file narrates issue numbers or points outside the repository', () => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(mjs|js|cpp|h|ts|toml|json|html)$|(^|\/)CMakeLists\.txt$|^scripts\/[a-z-]+$/.test(f))
    .filter((f) => !f.startsWith('.ci/') && !f.endsWith('package-lock.json') && existsSync(join(root, f)));
  assert.ok(files.length > 100, `${files.length} files`);
  const offenders = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    if (/\bissue \d+\b/i.test(text)) offenders.push(`${file}: issue number`);
    if (/\.\.\/shared\b|\b(TOOLCHAIN|STYLE)\.md\b/.test(text)) offenders.push(`${file}: a document outside the repository`);
  }
  assert.deepEqual(offenders, []);
});
