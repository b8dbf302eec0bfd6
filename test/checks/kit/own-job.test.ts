/** startOwnJob: the job a check starts for itself, or the skip that says why there is none. */
import { KickoffBudgetExceeded, type CheckContext, type KickoffResult } from '../../../src/checks/context';
import { isOutcome, startOwnJob } from '../../../src/checks/kit/own-job';

const SPEC = { endpoint: 'patient' as const, label: 'kick-off for a test' };

function ctxKicking(result: KickoffResult | Error): CheckContext {
  return {
    kickoff: () => (result instanceof Error ? Promise.reject(result) : Promise.resolve(result)),
  } as unknown as CheckContext;
}

const answered = (status: number, jobUrl?: string): KickoffResult =>
  ({ res: { status, exchange: { id: 'x0007' } }, ...(jobUrl ? { jobUrl } : {}) }) as unknown as KickoffResult;

describe('startOwnJob', () => {
  it('gives the job with its id', async () => {
    const job = await startOwnJob(ctxKicking(answered(202, 'http://t/api/v2/jobs/42')), SPEC, {
      needsId: true,
    });
    expect(isOutcome(job)).toBe(false);
    expect(job).toMatchObject({ jobUrl: 'http://t/api/v2/jobs/42', id: '42' });
  });

  it('skips, never passes, when the kick-off budget is spent', async () => {
    const job = await startOwnJob(ctxKicking(new KickoffBudgetExceeded(40)), SPEC);
    expect(job).toMatchObject({ outcome: 'skip', message: expect.stringContaining('--max-kickoffs') });
  });

  it('skips with the kick-off as evidence when the answer names no job', async () => {
    const job = await startOwnJob(ctxKicking(answered(400)), SPEC);
    expect(job).toMatchObject({ outcome: 'skip', message: 'the kick-off answered 400', evidence: ['x0007'] });
  });

  it('with needsId, skips a job URL without a readable id; without it, gives the job', async () => {
    const odd = answered(202, 'http://t/somewhere/else');
    expect(await startOwnJob(ctxKicking(odd), SPEC, { needsId: true })).toMatchObject({ outcome: 'skip' });
    expect(await startOwnJob(ctxKicking(odd), SPEC)).toMatchObject({ jobUrl: 'http://t/somewhere/else' });
  });

  it('lets other errors through', async () => {
    await expect(startOwnJob(ctxKicking(new Error('boom')), SPEC)).rejects.toThrow('boom');
  });
});
