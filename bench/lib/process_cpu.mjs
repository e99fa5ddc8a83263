// CPU time used by the workerd processes this benchmark started (Linux
// /proc): a figure that, unlike requests per second, does not depend on how
// the machine's two cores were shared with the load generator and the
// upstream. bench/proxy.mjs reports it per request for each variant.
import { readFileSync, readdirSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks of USER_HZ, 100 per second on Linux.
const TICK_MS = 10;

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function comm(pid) {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** The pids of `workerd` processes below this one, or [] where /proc is missing. */
export function workerdPids() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
  const parent = new Map();
  for (const pid of pids) {
    try {
      parent.set(pid, stat(pid).ppid);
    } catch { /* gone meanwhile */ }
  }
  const below = (pid) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return pids.filter((pid) => {
    try {
      return below(pid) && comm(pid) === 'workerd';
    } catch {
      return false;
    }
  });
}

/** CPU milliseconds (user + system) the given processes have used so far; null if unreadable. */
export function cpuMs(pids) {
  if (!pids.length) return null;
  try {
    return pids.reduce((sum, pid) => sum + stat(pid).cpuTicks * TICK_MS, 0);
  } catch {
    return null;
  }
}
