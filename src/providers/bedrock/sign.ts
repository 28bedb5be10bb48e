import { AwsV4Signer } from "aws4fetch";
import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";

/** The SigV4 signing name of the Bedrock runtime (its host is bedrock-runtime.*, its service is bedrock). */
const SIGNING_SERVICE = "bedrock";
const DEFAULT_REGION = "us-east-1";

/** Derived signing keys, per secret/day/region/service (aws4fetch's cache; it never leaves the isolate). */
const keyCache = new Map<string, ArrayBuffer>();

type Credentials = { kind: "bearer"; token: string } | { kind: "sigv4"; accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string };

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** The region: aws_region_name, else the one an ARN model id names, else us-east-1. */
export function regionOf(dep: Deployment): string {
  const set = str(dep.params.aws_region_name);
  if (set) return set;
  const arn = /^arn:aws[\w-]*:bedrock:([a-z0-9-]+):/.exec(str(dep.params.model_id) ?? dep.model);
  return arn?.[1] || DEFAULT_REGION;
}

/**
 * The deployment's credentials: a Bedrock API key (`api_key`, sent as `Authorization: Bearer`,
 * what AWS_BEARER_TOKEN_BEDROCK holds), else SigV4 keys (aws_access_key_id and
 * aws_secret_access_key, with aws_session_token for temporary ones). Neither is a config error
 * naming what to set.
 */
export function credentialsOf(dep: Deployment): Credentials {
  if (dep.apiKey) return { kind: "bearer", token: dep.apiKey };
  const accessKeyId = str(dep.params.aws_access_key_id);
  const secretAccessKey = str(dep.params.aws_secret_access_key);
  const where = `deployment '${dep.id}' of model '${dep.modelName}'`;
  if (!accessKeyId && !secretAccessKey) {
    throw configError(
      `The bedrock ${where} has no credentials: set litellm_params.aws_access_key_id and aws_secret_access_key (e.g. os.environ/AWS_ACCESS_KEY_ID), or api_key to a Bedrock API key (os.environ/AWS_BEARER_TOKEN_BEDROCK).`,
    );
  }
  if (!accessKeyId) throw configError(`The bedrock ${where} has aws_secret_access_key but no aws_access_key_id.`);
  if (!secretAccessKey) throw configError(`The bedrock ${where} has aws_access_key_id but no aws_secret_access_key.`);
  return { kind: "sigv4", accessKeyId, secretAccessKey, sessionToken: str(dep.params.aws_session_token), region: regionOf(dep) };
}

/** A signed POST of a JSON body: SigV4 (service bedrock) over method, path, host, x-amz-date and the body's hash, or the bearer key. */
export async function signedPost(url: string, body: string, dep: Deployment, datetime?: string): Promise<Request> {
  const creds = credentialsOf(dep);
  const headers = new Headers({ "content-type": "application/json" });
  if (creds.kind === "bearer") {
    headers.set("authorization", `Bearer ${creds.token}`);
    return new Request(url, { method: "POST", headers, body });
  }
  const signer = new AwsV4Signer({
    method: "POST",
    url,
    headers,
    body,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    sessionToken: creds.sessionToken,
    service: SIGNING_SERVICE,
    region: creds.region,
    cache: keyCache,
    datetime,
  });
  const signed = await signer.sign();
  return new Request(signed.url.toString(), { method: "POST", headers: signed.headers, body });
}
