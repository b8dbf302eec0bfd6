/** One resource against the FHIR R4 schema: the entry point for what the server answers with directly. */
import { validateResource } from '../../src/fhir';

describe('validateResource', () => {
  it('accepts valid resources of the kinds the server answers with', () => {
    expect(
      validateResource({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-found' }],
      }),
    ).toEqual([]);
    expect(
      validateResource({
        resourceType: 'Bundle',
        type: 'searchset',
        total: 1,
        entry: [{ resource: { resourceType: 'Task', status: 'completed', intent: 'order' } }],
      }),
    ).toEqual([]);
  });

  it('names the path and the rule, never the value', () => {
    const findings = validateResource({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'Task',
            status: 'completed',
            intent: 'order',
            authoredOn: 'SECRET-VALUE',
          },
        },
      ],
    });
    expect(findings).toEqual([
      { path: 'Bundle.entry[0].resource.authoredOn', message: 'is not a valid FHIR dateTime' },
    ]);
    expect(JSON.stringify(findings)).not.toContain('SECRET-VALUE');
  });

  it('says so when there is no resource at all', () => {
    expect(validateResource([1])).toEqual([
      { path: '(resource)', message: 'is not a JSON object with a resourceType' },
    ]);
    expect(validateResource({ resourceType: 'Conformance' })[0]?.path).toBe('Conformance.resourceType');
  });
});
