import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's Key Vault: the secrets of the external HTTP calls the API makes (the payment
 * provider). Every Azure dependency (Cosmos DB, Service Bus, Redis, the registry) is reached with
 * the web app's managed identity instead, so no other secret exists to keep.
 *
 * Key Vault on the start-up path (the seed's incident: scale-out failed while Key Vault was down).
 * New instances never call Key Vault themselves:
 * - the web app receives each secret as an app setting holding a Key Vault reference
 *   (`@Microsoft.KeyVault(VaultName=...;SecretName=...)`). App Service resolves references with
 *   the app's identity and caches the values, refetching them every 24 hours or when the app's
 *   configuration changes; the container sees a plain environment variable;
 * - when a reference cannot be resolved, App Service still starts the instance and hands it the
 *   literal reference text. The API treats that as "secret not yet available": it starts, serves
 *   catalog reads, accepts orders into the Service Bus `orders` queue (the payment call is made by
 *   the queue worker, not in the request), and fetches the secret in the background from the URI
 *   in `<SETTING>_SECRET_URI` with its identity, retrying with backoff;
 * - the health contract's Key Vault component reports "secret available from the in-process
 *   cache", never a live vault call, so a Key Vault outage cannot take a serving stamp out of
 *   Front Door, and scale-out never waits for the vault;
 * - role assignments are created before the web app (see stamp.ts), so the first start of a new
 *   stamp does not race RBAC propagation, which looks exactly like a vault outage.
 */

export interface ExternalSecret {
  /** Key Vault secret name. */
  name: string;
  /** App setting (environment variable) the API reads it from. */
  setting: string;
  description: string;
}

export const EXTERNAL_SECRETS: readonly ExternalSecret[] = [
  { name: "payment-api-key", setting: "PAYMENT_API_KEY", description: "API key of the payment provider's order POST endpoint" },
  { name: "payment-webhook-secret", setting: "PAYMENT_WEBHOOK_SECRET", description: "HMAC key that signs the payment provider's callbacks" },
];

export interface StampKeyVaultArgs {
  /** Values for the external secrets by secret name; a secret without one gets a generated value
   *  (dev, rehearsals, and keys we issue ourselves such as the webhook signing key). */
  values?: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface StampKeyVault {
  vault: keyvault.Vault;
  vaultUri: pulumi.Output<string>;
  secrets: { spec: ExternalSecret; secret: keyvault.Secret }[];
}

export function createKeyVault(ctx: StampContext, suffix: pulumi.Output<string>, args: StampKeyVaultArgs = {}): StampKeyVault {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const client = authorization.getClientConfigOutput({ parent: ctx.parent });
  const isolated = ctx.env.network.isolation;

  const vault = new keyvault.Vault(
    "kv",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      vaultName: suffix.apply((s) => stampName(ctx, "keyVault", { suffix: s })),
      properties: {
        tenantId: client.tenantId,
        sku: { family: "A", name: "standard" },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: ctx.env.keyVault.softDeleteRetentionDays,
        // Azure accepts only `true` or nothing here: purge protection cannot be switched off once on.
        ...(ctx.env.keyVault.purgeProtection ? { enablePurgeProtection: true } : {}),
        enabledForDeployment: false,
        enabledForDiskEncryption: false,
        enabledForTemplateDeployment: false,
        publicNetworkAccess: isolated ? "Disabled" : "Enabled",
        // Secrets are written through ARM (control plane), which the data-plane firewall does not block.
        networkAcls: isolated ? { defaultAction: "Deny", bypass: "None" } : { defaultAction: "Allow", bypass: "AzureServices" },
      },
      tags: ctx.tags,
    },
    opts,
  );

  const secrets = EXTERNAL_SECRETS.map((spec) => {
    const given = args.values?.[spec.name];
    const value =
      given ??
      new random.RandomPassword(`secret-${spec.name}`, { length: 48, special: false }, opts).result;
    const secret = new keyvault.Secret(
      `secret-${spec.name}`,
      {
        resourceGroupName: ctx.resourceGroupName,
        vaultName: vault.name,
        secretName: spec.name,
        properties: {
          value: pulumi.secret(value),
          contentType: given ? "text/plain" : "text/plain; generated",
        },
        tags: { ...ctx.tags, "contoso:purpose": spec.description },
      },
      opts,
    );
    return { spec, secret };
  });

  const vaultUri = vault.properties.apply((p) => p.vaultUri ?? "");
  return { vault, vaultUri, secrets };
}

/** The app setting value App Service resolves (versionless: picks up a rotated secret on refresh). */
export function keyVaultReference(vaultName: pulumi.Input<string>, secretName: string): pulumi.Output<string> {
  return pulumi.interpolate`@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})`;
}

/** Versionless secret URI the API's background refresher reads with its identity. */
export function secretUri(vaultUri: pulumi.Input<string>, secretName: string): pulumi.Output<string> {
  return pulumi.output(vaultUri).apply((uri) => `${uri.replace(/\/+$/, "")}/secrets/${secretName}`);
}
