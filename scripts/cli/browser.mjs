// Opens a URL in the user's browser, best effort: `connauth authorize` has
// already printed the URL, so a machine without a browser (or without
// xdg-open) only means the user opens it by hand. Never throws.
import { spawn } from 'node:child_process';

function opener(platform) {
  if (platform === 'darwin') return ['open', []];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  return ['xdg-open', []];
}

/** Resolves to true when an opener was started, false otherwise. */
export function openBrowser(url, platform = process.platform) {
  const [command, args] = opener(platform);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, [...args, url], { stdio: 'ignore', detached: true });
    } catch {
      resolve(false);
      return;
    }
    child.once('error', () => resolve(false)); // ENOENT: no opener on this machine
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
