/** One Azure resource as the subscription model holds it. */
export interface ModelResource {
  /** Canonical azure-native type token. */
  type: string;
  /** Logical (Pulumi) name, for messages. */
  name: string;
  /** Azure resource ID. */
  id: string;
  /** The stack that manages it. */
  stack: string;
  /** Inputs as sent to Azure, secrets masked. */
  inputs: Record<string, unknown>;
}
