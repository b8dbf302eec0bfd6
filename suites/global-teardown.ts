// Removes the results file the global setup wrote (see src/cli/jest-suite.ts).
import { removeSuiteResults } from '../src/cli/jest-suite';

export default removeSuiteResults;
