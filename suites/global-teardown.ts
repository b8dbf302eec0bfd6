// Removes the results file the global setup wrote (see src/engine/jest-suite.ts).
import { removeSuiteResults } from '../src/engine/jest-suite';

export default removeSuiteResults;
