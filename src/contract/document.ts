/**
 * The contract document: spec/bcda.openapi.yaml, dereferenced once per process with
 * swagger-parser (every `$ref` replaced by what it points at), so the judge reads plain objects.
 */
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { projectRoot } from '../core/project-root';

/** The parts of an OpenAPI 3.0 document the judge reads; everything else is left untyped. */
export interface SchemaNode {
  [keyword: string]: unknown;
}

export interface HeaderObject {
  description?: string;
  required?: boolean;
  schema?: SchemaNode;
  'x-bcda-quirk'?: string;
  /** The values the real server sends instead (a schema): such a value is a known deviation. */
  'x-bcda-quirk-accepts'?: SchemaNode;
}

export interface MediaTypeObject {
  schema?: SchemaNode;
}

export interface ResponseObject {
  description?: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
  'x-bcda-quirk'?: string;
}

export interface OperationObject {
  operationId?: string;
  'x-bcda-quirk'?: string;
  responses?: Record<string, ResponseObject>;
}

export type PathItem = Partial<Record<string, OperationObject>>;

export interface ContractDocument {
  paths: Record<string, PathItem>;
}

export const CONTRACT_FILE = path.join('spec', 'bcda.openapi.yaml');

let cached: Promise<ContractDocument> | undefined;

/** The dereferenced contract; read from disk once, every later call shares it. */
export function loadContractDocument(): Promise<ContractDocument> {
  cached ??= SwaggerParser.dereference(path.join(projectRoot(), CONTRACT_FILE)).then(
    (doc) => doc as unknown as ContractDocument,
  );
  return cached;
}
