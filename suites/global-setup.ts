// Runs the catalog once for every suite file this jest run selected (see src/cli/jest-suite.ts).
import { runSuitesOnce } from '../src/cli/jest-suite';

export default runSuitesOnce;
