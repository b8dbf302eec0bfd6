/** DataIndex (what the data checks keep of each line) and the `_since` chosen inside the data. */
import { DataIndex, SINCE_OFFSET_MAX_MS, sinceInsideRange } from '../../../src/checks/kit/data-index';

describe('sinceInsideRange', () => {
  it('gives nothing when the data cannot tell: no values, or all the same', () => {
    expect(sinceInsideRange([])).toBeUndefined();
    expect(sinceInsideRange([5, 5, 5])).toBeUndefined();
    // A 1 ms gap leaves no instant strictly between two printed values.
    expect(sinceInsideRange([5, 6])).toBeUndefined();
  });

  it('lands in the gap at the median, on no value: halfway across a gap under two seconds', () => {
    expect(sinceInsideRange([0, 10, 20, 30])).toBe(15);
    expect(sinceInsideRange([30, 0, 20, 10])).toBe(15);
    // The median's neighbour is the same value: the nearest real gap is used.
    const since = sinceInsideRange([0, 100, 100, 100, 200])!;
    expect([50, 150]).toContain(since);
  });

  it('lands at most a minute past the value below, so a _since cut to its day or hour shows', () => {
    const day = Date.UTC(2025, 2, 1);
    const values = [day + 9 * 3600_000, day + 10 * 3600_000, day + 30 * 3600_000, day + 40 * 3600_000];
    expect(sinceInsideRange(values)).toBe(day + 10 * 3600_000 + SINCE_OFFSET_MAX_MS);
  });
});

describe('DataIndex', () => {
  const add = (index: DataIndex, resource: object, fileType = 'x') =>
    index.add(JSON.stringify(resource), fileType);

  it("keeps each resource's type, id, lastUpdated and enrollee", () => {
    const index = new DataIndex();
    add(index, { resourceType: 'Patient', id: '-1', meta: { lastUpdated: '2025-01-01T00:00:00.000+00:00' } });
    add(index, { resourceType: 'Coverage', id: 'part-a--1', beneficiary: { reference: 'Patient/-1' } });
    add(index, {
      resourceType: 'ExplanationOfBenefit',
      id: 'carrier-1',
      patient: { reference: 'https://t/fhir/Patient/-1' },
      billablePeriod: { start: '2024-02-01', end: '2024-02-03' },
      item: [{ servicedDate: '2024-02-05' }, { servicedPeriod: { start: '2024-01-30', end: '2024-02-04' } }],
    });
    expect(index.resources.get('Patient/-1')).toMatchObject({
      patient: '-1',
      lastUpdated: Date.UTC(2025, 0, 1),
    });
    expect(index.resources.get('Coverage/part-a--1')).toMatchObject({ patient: '-1' });
    expect(index.resources.get('ExplanationOfBenefit/carrier-1')).toMatchObject({
      patient: '-1',
      serviceEnd: '2024-02-05',
    });
    expect([...index.enrollees()]).toEqual(['-1']);
    expect([...index.types()].sort()).toEqual(['Coverage', 'ExplanationOfBenefit', 'Patient']);
  });

  it("finds a claim's enrollee through its contained Patient's MBI", () => {
    const index = new DataIndex();
    const mbi = { system: 'http://hl7.org/fhir/sid/us-mbi', value: '1S00A00AA00' };
    add(index, { resourceType: 'Patient', id: '-7', identifier: [mbi] });
    add(index, {
      resourceType: 'Claim',
      id: 'f-1',
      contained: [{ resourceType: 'Patient', id: 'patient', identifier: [mbi] }],
      patient: { reference: '#patient' },
    });
    expect(index.enrolleeOf(index.resources.get('Claim/f-1')!)).toBe('-7');
  });

  it('counts unreadable lines and repeated resources instead of keeping them', () => {
    const index = new DataIndex();
    index.add('{"resourceType": "Patient"', 'Patient');
    index.add('{"id": "1"}', 'Patient');
    add(index, { resourceType: 'Patient', id: '1' });
    add(index, { resourceType: 'Patient', id: '1' });
    expect(index).toMatchObject({ unreadable: 2, duplicates: 1, size: 1, duplicateKeys: ['Patient/1'] });
    expect(index.lastUpdatedValues()).toEqual([]);
    expect([...index.patientIds()]).toEqual(['1']);
  });

  it("keeps a claim's earliest and latest service dates", () => {
    const index = new DataIndex();
    add(index, {
      resourceType: 'ExplanationOfBenefit',
      id: 'e',
      billablePeriod: { start: '2014-03-01', end: '2014-03-09' },
      item: [
        { servicedDate: '2013-12-30' },
        { servicedPeriod: { start: '2014-02-01', end: '2014-04-02T10:00:00Z' } },
      ],
    });
    expect(index.resources.get('ExplanationOfBenefit/e')).toMatchObject({
      serviceStart: '2013-12-30',
      serviceEnd: '2014-04-02',
    });
  });
});
