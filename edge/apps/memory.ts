/**
 * The resident memory of a process and everything it started, read from /proc (Linux): an app
 * may fork workers, and its limit is for all of them. Processes that end while being read are
 * skipped; off Linux (no /proc) the answer is undefined and no limit is enforced.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The parent pid of `pid` from /proc/<pid>/stat (field 4, after the parenthesised name). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[1]);
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of `root` and all its descendants. */
export function processTree(root: number): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [root];
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** RSS of the process tree in bytes, or undefined when /proc cannot tell (not Linux, process gone). */
export function treeRssBytes(root: number): number | undefined {
  try {
    readFileSync(`/proc/${root}/status`);
  } catch {
    return undefined;
  }
  return processTree(root).reduce((sum, pid) => sum + rssBytes(pid), 0);
}
