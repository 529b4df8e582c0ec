// `--controllers` reads as kube-controller-manager's flag: `*` for all, `-name` to turn one off, a bare list for
// exactly those, `none` for nothing; unknown names are refused with the known ones listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseControllerSelection, CONTROLLER_NAMES } from '../src/controller-selection.ts';

const cases: [string, string, string[]][] = [
  ['`*` runs every controller', '*', [...CONTROLLER_NAMES]],
  ['`*,-podgc` runs all but pod GC', '*,-podgc', CONTROLLER_NAMES.filter((n) => n !== 'podgc')],
  ['`-podgc,*` means the same: exclusions win whatever their place', '-podgc,*', CONTROLLER_NAMES.filter((n) => n !== 'podgc')],
  ['a bare list runs only those', 'scheduler, podgc', ['scheduler', 'podgc']],
  ['`none` runs nothing', 'none', []],
  ['an empty list runs nothing', '', []],
];

for (const [name, text, want] of cases) {
  test(name, () => {
    const { which, problems } = parseControllerSelection(text);
    assert.deepEqual(problems, []);
    assert.deepEqual([...which].sort(), [...want].sort());
  });
}

test('an unknown controller is refused, naming the known ones', () => {
  const { problems } = parseControllerSelection('*,-replicaset-nope');
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^--controllers: unknown controller "replicaset-nope" \(known: scheduler, /);
});
