/** The job-list body rules shared by the jobs checks (src/checks/kit/job-list.ts). */
import { bundleProblems } from '../../src/checks/kit/job-list';

const task = (id: string) => ({
  resource: { resourceType: 'Task', identifier: [{ value: id }], status: 'completed', intent: 'order' },
});
const bundle = (ids: string[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: ids.length,
  entry: ids.map(task),
});

describe('bundleProblems', () => {
  it('passes one entry per job', () => {
    expect(bundleProblems(bundle(['1', '2']))).toEqual([]);
  });

  it('names a job listed more than once, even with a total that counts each entry', () => {
    expect(bundleProblems(bundle(['1', '2', '2', '2']))).toEqual([
      '1 job(s) have more than one entry (job 2 3 times)',
    ]);
  });
});
