/**
 * The response bodies spec/bcda.openapi.yaml documents, as readers hold them before checking: the
 * member names come from generated/bcda.ts, the values are still unknown (a target may send
 * anything). A member renamed or dropped in the spec breaks, at build time, every reader using it.
 */
import type { components } from '../../generated/bcda';

/** The spec's response schemas, by name. */
export type Schemas = components['schemas'];

/** A received JSON object named like the documented `T`: its members, each not yet checked. */
export type Received<T> = { [K in keyof T]?: unknown };

/** The documented members of one element of an array-typed member. */
export type ReceivedItem<T extends readonly unknown[] | undefined> = Received<NonNullable<T>[number]>;
