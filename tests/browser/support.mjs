// What every browser test shares: a demo server of its own, headless Chromium, and the
// sign-in code the server "sent" (the demo writes messages to messages.log).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/// Starts `daftar serve --demo` on a free port over `dataDir`, and resolves once it serves.
/// The server is killed when this process exits, however the test ends, so that a failed
/// test never leaves a server holding the pipe of whoever ran it.
export function startServer(daftar, dataDir, extraArgs = []) {
  const server = spawn(daftar, ['serve', '--demo', '--data-dir', dataDir, '--addr', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => server.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/serving on (http:\/\/[\d.:]+)/);
      if (match) resolve({ server, base: match[1] });
    });
    server.on('exit', (code) => reject(new Error(`daftar exited with ${code}:\n${output}`)));
  });
}

/// The office a test runs against: a `daftar serve --demo` of its own over `dataDir`
/// (as startServer), or, when DAFTAR_TEST_BASE_URL is set, one already running with the
/// demo loaded: several instances behind a balancer (tests/instances/instances.py), whose
/// data directories DAFTAR_TEST_MESSAGE_DIRS lists, colon-separated, for the SMS each
/// "sent". `messageDirs` are where lastCode and messages read.
export async function startOffice(daftar, dataDir, extraArgs = []) {
  const base = process.env.DAFTAR_TEST_BASE_URL;
  if (base) {
    const messageDirs = (process.env.DAFTAR_TEST_MESSAGE_DIRS ?? '').split(':').filter(Boolean);
    assert.ok(messageDirs.length > 0, 'DAFTAR_TEST_MESSAGE_DIRS names the instances\' data directories');
    return { server: null, base: base.replace(/\/$/, ''), messageDirs };
  }
  const { server, base: own } = await startServer(daftar, dataDir, extraArgs);
  return { server, base: own, messageDirs: [dataDir] };
}

/// Every message the office "sent", from each of `dirs`' messages.log, oldest first.
export function messages(dirs) {
  const all = [];
  for (const dir of [dirs].flat()) {
    let text = '';
    try {
      text = readFileSync(join(dir, 'messages.log'), 'utf8');
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n').filter(Boolean)) all.push(JSON.parse(line));
  }
  // Stable: messages of one log within a millisecond keep their order.
  return all.map((m, i) => [Date.parse(m.at), i, m]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((e) => e[2]);
}

/// Debian's headless Chromium (or $CHROMIUM), quiet: no network of its own.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// The last sign-in code the server sent, in ASCII digits. `dirs` is the data directory,
/// or each instance's (a code goes out from the one asked, while any instance's outbox may
/// send a status notice, with its tracking code's digits, a moment later).
export function lastCode(dirs) {
  const codes = messages(dirs).filter((m) => m.text.startsWith('کد ورود'));
  assert.ok(codes.length > 0, 'a sign-in code was sent');
  return ascii(codes.at(-1).text).match(/\d{6}/)[0];
}

/// Persian digits as ASCII ones.
export function ascii(text) {
  return text.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

/// ASCII digits as Persian ones, as the pages write them.
export function persian(text) {
  return text.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}

const axeSource = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/// Fails on axe-core's serious and critical findings on the page as it stands (its context
/// needs `bypassCSP: true`: the pages allow no inline script).
export async function accessible(page, label) {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => (await window.axe.run()).violations
    .filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  assert.deepEqual(found, [], `${label}: ${found.join('; ')}`);
}
