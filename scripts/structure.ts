/**
 * The structure drawn from the imports (`npx tsx scripts/structure.ts`): each folder of src/ is a room,
 * an import from one room into another an arrow; rooms in a circle (folders importing each other) are
 * counted, and floors are the layers of the rest (a room sits above every room it imports). Prints the
 * figures, the circles, and the arrows that run back up (from a room into a room in the same circle).
 * `--files` makes each module a room, which shows circles between files of one folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const byFile = process.argv.includes('--files');
const root = path.resolve(process.argv.filter((arg) => !arg.startsWith('--'))[2] ?? 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** A file's room: its folder (or, with --files, the file itself, so circles between modules show too). */
const room = (file: string) => (byFile ? path.relative(root, file).replace(/\/index\.ts$|\.ts$/, '') : path.relative(root, path.dirname(file)) || '.');
const edges = new Map<string, Set<string>>();
let largest = { file: '', lines: 0 };
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > largest.lines) largest = { file: path.relative(root, file), lines };
  const from = room(file);
  if (!edges.has(from)) edges.set(from, new Set());
  for (const match of text.matchAll(/(?:import|export)[^'";]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const resolved = path.resolve(path.dirname(file), match[1]);
    // `'../agents'` is the folder's index.ts, in both modes (read as `../agents.ts`, it was counted as an import of src/ itself).
    const imported = /\.ts$/.test(resolved) ? resolved : existsSync(`${resolved}.ts`) ? `${resolved}.ts` : path.join(resolved, 'index.ts');
    const target = room(imported);
    if (target !== from) edges.get(from)!.add(target);
  }
}

// Circles: strongly connected components (Tarjan).
let index = 0;
const stack: string[] = [];
const info = new Map<string, { index: number; low: number; on: boolean }>();
const components: string[][] = [];
function connect(node: string): void {
  info.set(node, { index, low: index, on: true });
  index += 1;
  stack.push(node);
  for (const next of edges.get(node) ?? []) {
    if (!info.has(next)) {
      connect(next);
      info.get(node)!.low = Math.min(info.get(node)!.low, info.get(next)!.low);
    } else if (info.get(next)!.on) info.get(node)!.low = Math.min(info.get(node)!.low, info.get(next)!.index);
  }
  if (info.get(node)!.low === info.get(node)!.index) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      info.get(member)!.on = false;
      component.push(member);
    } while (member !== node);
    components.push(component);
  }
}
for (const node of edges.keys()) if (!info.has(node)) connect(node);
const componentOf = new Map(components.flatMap((component, at) => component.map((node) => [node, at] as const)));

// Floors: the longest chain of imports below each component.
const floor = new Map<number, number>();
function floorOf(component: number): number {
  if (floor.has(component)) return floor.get(component)!;
  floor.set(component, 0);
  let below = -1;
  for (const node of components[component])
    for (const next of edges.get(node) ?? []) if (componentOf.get(next) !== component) below = Math.max(below, floorOf(componentOf.get(next)!));
  floor.set(component, below + 1);
  return below + 1;
}
components.forEach((_, at) => floorOf(at));

const arrows = [...edges.values()].reduce((sum, targets) => sum + targets.size, 0);
const circles = components.filter((component) => component.length > 1);
const backUp = [...edges].flatMap(([from, targets]) => [...targets].filter((to) => componentOf.get(to) === componentOf.get(from)).map((to) => `${from} -> ${to}`));
console.log(`rooms ${edges.size}, floors ${Math.max(...floor.values()) + 1}, arrows ${arrows}, circles ${circles.length}, arrows back up ${backUp.length}`);
console.log(`largest file: ${largest.file} (${largest.lines} lines)`);
for (const circle of circles) console.log(`circle: ${circle.join(', ')}`);
for (const arrow of backUp) console.log(`back up: ${arrow}`);
