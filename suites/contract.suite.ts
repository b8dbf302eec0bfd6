// Conformance suite "contract": see src/cli/jest-suite.ts for how the target is chosen.
import { defineConformanceSuite } from '../src/cli/jest-suite';

defineConformanceSuite('contract');
