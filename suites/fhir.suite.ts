// Conformance suite "fhir": see src/engine/jest-suite.ts for how the target is chosen.
import { defineConformanceSuite } from '../src/engine/jest-suite';

defineConformanceSuite('fhir');
