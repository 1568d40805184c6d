import type { Ec2World } from './ec2-world.js';
import type { QueryNode } from './query-params.js';
import type { XmlObject } from './xml-writer.js';

/** One Query API request, as an action handler sees it. */
export interface ActionRequest {
  world: Ec2World;
  action: string;
  /** From the SigV4 credential scope. */
  region: string;
  params: QueryNode;
  dryRun: boolean;
  /** Every parameter except Action, Version, DryRun and ClientToken, sorted: idempotency compares it. */
  fingerprint: string;
}

/** Returns the response body's elements (inside `<ActionResponse>`, after `<requestId>`). */
export type ActionHandler = (request: ActionRequest) => XmlObject;
