/**
 * POST /__mock/clock/rewind undoes clock advances, so a client that moved a shared mock's clock
 * can put it back; it never goes back further than the advances went.
 */
import { createClock } from '../../src/mock/clock';
import { json, START, testMock } from './helpers';

describe('moving the mock clock back', () => {
  test('rewind undoes an advance and refuses to go further back', () => {
    const clock = createClock({ start: START, frozen: true });
    clock.advance(0.1);
    clock.advance(0.2);
    clock.rewind(0.3);
    expect(clock.now().toISOString()).toBe(START);
    clock.advance(60);
    expect(() => clock.rewind(61)).toThrow(/only as far as advances moved it forward \(60 s\)/);
    expect(() => clock.rewind(-1)).toThrow(/finite number of seconds/);
    expect(clock.nowMs() - Date.parse(START)).toBe(60_000);
  });

  test('through the control endpoint: 25 h ahead and back; too far answers 400 and changes nothing', async () => {
    const m = await testMock({ control: true });
    try {
      const token = await m.token();
      await m.http().post('/__mock/clock/advance').send({ seconds: 90000 });
      // The token minted before the jump is expired on the moved clock...
      const ahead = await m.http().get('/api/v2/jobs').set('Authorization', `Bearer ${token}`);
      expect(ahead.status).toBe(401);
      const back = await m.http().post('/__mock/clock/rewind').send({ seconds: 90000 });
      expect(json(back)).toEqual({ now: START });
      // ...and valid again once the clock is back.
      const again = await m.http().get('/api/v2/jobs').set('Authorization', `Bearer ${token}`);
      expect(again.status).not.toBe(401);
      const tooFar = await m.http().post('/__mock/clock/rewind').send({ seconds: 1 });
      expect(tooFar.status).toBe(400);
      expect(json(tooFar).error).toMatch(/only as far as advances moved it forward/);
      expect(json(await m.http().post('/__mock/clock/rewind').send({ seconds: -5 })).error).toBeDefined();
      expect(m.ctx.clock.now().toISOString()).toBe(START);
    } finally {
      await m.close();
    }
  });
});
