// Runs the catalog once for every suite file this jest run selected (see src/engine/jest-suite.ts).
import { runSuitesOnce } from '../src/engine/jest-suite';

export default runSuitesOnce;
