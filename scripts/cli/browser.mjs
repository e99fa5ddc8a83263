// Opens a URL in the user's browser, best effort: `connauth authorize` has
// already printed the URL, so a machine without a browser (or without
// xdg-open) only means the user opens it by hand. Never throws.
//
// No shell, on any platform: the URL is one argument of the opener. (Through
// `cmd /c start`, a URL's "&" would end the command and start the next one:
// whoever wrote the authorization URL, a connector, would run commands.)
import { spawn } from 'node:child_process';

/** [command, args] that opens `url` on `platform`, the URL as the last argument. */
export function browserCommand(url, platform = process.platform) {
  if (platform === 'darwin') return ['open', [url]];
  // url.dll's handler opens a URL with its registered program, reading its
  // argument as it is (no cmd.exe parsing).
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/** Resolves to true when an opener was started, false otherwise. */
export function openBrowser(url, platform = process.platform) {
  const [command, args] = browserCommand(url, platform);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true, shell: false, windowsHide: true });
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
