import { beneficiaryId, beneficiaryMbi, isErrorBeneficiary } from '../../../src/mock/data';

/** MBI layout with `S` as the synthetic marker in position 2. */
const MBI =
  /^[1-9]S[AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y]{2}[0-9]{2}$/;

describe('beneficiary identity', () => {
  test('ids are negative 14-digit numbers, unique inside an ACO of 30,000', () => {
    const ids = Array.from({ length: 30000 }, (_, i) => beneficiaryId(1, 'A9993', i));
    expect(ids.filter((id) => !/^-[1-9][0-9]{13}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(30000);
  });

  test('MBIs are MBI-shaped with S as second character and unique inside an ACO', () => {
    const mbis = Array.from({ length: 30000 }, (_, i) => beneficiaryMbi(1, 'A9993', i));
    expect(mbis.filter((mbi) => !MBI.test(mbi))).toEqual([]);
    expect(new Set(mbis).size).toBe(30000);
  });

  test('identity depends on seed and ACO, and is stable', () => {
    expect(beneficiaryId(1, 'A9994', 3)).toBe(beneficiaryId(1, 'A9994', 3));
    expect(beneficiaryMbi(1, 'A9994', 3)).toBe(beneficiaryMbi(1, 'A9994', 3));
    expect(beneficiaryMbi(2, 'A9994', 3)).not.toBe(beneficiaryMbi(1, 'A9994', 3));
    expect(beneficiaryId(1, 'A9990', 3)).not.toBe(beneficiaryId(1, 'A9994', 3));
  });

  test('about 1 in 200 beneficiaries is unknown to BFD, and at least one in the 50-beneficiary ACO', () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 3]) {
      let small = 0;
      for (let i = 0; i < 50; i++) if (isErrorBeneficiary(seed, 'A9994', i, 50)) small++;
      expect(small).toBeGreaterThanOrEqual(1);
    }
    let errors = 0;
    for (let i = 0; i < 30000; i++) if (isErrorBeneficiary(7, 'A9993', i, 30000)) errors++;
    expect(errors).toBeGreaterThan(100);
    expect(errors).toBeLessThan(220);
  });
});
