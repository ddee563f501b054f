#!/usr/bin/env bash
# Deploy build/ (made by `make package`) to AWS with the AWS CLI: `make deploy`.
#
# Set first (see the README, "Deploying"):
#   HUB_STACK             the stack's name, e.g. hub-prod (default: hub)
#   HUB_ARTIFACT_BUCKET   an S3 bucket of yours, in the same region, for the code bundle
#   HUB_OIDC_ISSUER       your identity provider's issuer (the tokens' `iss`)
#   HUB_JWKS_URL          its signing keys, https://...
#   HUB_ALARM_TOPIC_ARN   the SNS topic that receives the alarms
#   HUB_CURSOR_SECRET     32+ characters that encrypt pagination cursors (`new,old` to rotate)
# Optional: HUB_OIDC_AUDIENCE (hub), HUB_API_RATE_LIMIT (200), HUB_API_BURST_LIMIT (400),
#           HUB_LOG_RETENTION_DAYS (90), HUB_WEB_ORIGINS (the web client's origins allowed
#           by CORS, comma-separated; none), HUB_BUILD (build), and the usual AWS_PROFILE,
#           AWS_REGION.
set -euo pipefail

build="${HUB_BUILD:-build}"
stack="${HUB_STACK:-hub}"

missing=()
for name in HUB_ARTIFACT_BUCKET HUB_OIDC_ISSUER HUB_JWKS_URL HUB_ALARM_TOPIC_ARN HUB_CURSOR_SECRET; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "deploy: set ${missing[*]} first (see the README, \"Deploying\")" >&2
  exit 2
fi
if [[ ! -f "$build/sam.yaml" || ! -f "$build/deployment.zip" ]]; then
  echo "deploy: no $build/sam.yaml and $build/deployment.zip: run \`make package\` first" >&2
  exit 2
fi
command -v aws >/dev/null || { echo "deploy: the AWS CLI (aws) is not installed" >&2; exit 2; }

# Upload the bundle and write a template that points at it.
aws cloudformation package \
  --template-file "$build/sam.yaml" \
  --s3-bucket "$HUB_ARTIFACT_BUCKET" \
  --s3-prefix "$stack" \
  --output-template-file "$build/packaged.yaml"

# Create or update the stack; a failed update rolls back by itself, the table is never
# deleted or replaced (DeletionPolicy and UpdateReplacePolicy: Retain, deletion protection).
aws cloudformation deploy \
  --template-file "$build/packaged.yaml" \
  --stack-name "$stack" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
  --no-fail-on-empty-changeset \
  --parameter-overrides \
    "OidcIssuer=$HUB_OIDC_ISSUER" \
    "OidcAudience=${HUB_OIDC_AUDIENCE:-hub}" \
    "JwksUrl=$HUB_JWKS_URL" \
    "AlarmTopicArn=$HUB_ALARM_TOPIC_ARN" \
    "CursorSecret=$HUB_CURSOR_SECRET" \
    "ApiRateLimit=${HUB_API_RATE_LIMIT:-200}" \
    "ApiBurstLimit=${HUB_API_BURST_LIMIT:-400}" \
    "LogRetentionDays=${HUB_LOG_RETENTION_DAYS:-90}" \
    "WebOrigins=${HUB_WEB_ORIGINS:-}"

aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
