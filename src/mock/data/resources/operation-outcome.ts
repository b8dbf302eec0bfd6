/** The OperationOutcome lines BCDA writes to `-error.ndjson` and `warnings-and-info.ndjson`. */

/** BCDA writes error lines in its v1 (STU3) shape for every version; it is also valid R4. */
export function beneficiaryNotFoundLine(mbi: string): string {
  return JSON.stringify({
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'not-found',
        diagnostics: `Error retrieving BlueButton ID for cclfBeneficiary MBI ${mbi}`,
      },
    ],
  });
}

/** v3 EOB jobs using the default System-Type filter get this one warning line. */
export const SYSTEM_TYPE_WARNING_LINE = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'warning',
      code: 'processing',
      details: {
        text: 'Default System-Type behavior includes only claims from NCH and DDPS in this export.',
      },
    },
  ],
});
