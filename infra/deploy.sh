#!/usr/bin/env bash
# Deploy build/ (made by `make package`) to AWS with the AWS CLI: `make deploy`.
# The stack first (functions, API, table, the web client's bucket and distribution, the
# sign-in), then the web client: build/web and its config.json into the bucket, then an
# invalidation of the distribution.
#
# Set first (see the README, "Deploying"):
#   HUB_STACK             the stack's name, e.g. hub-prod (default: hub)
#   HUB_ARTIFACT_BUCKET   an S3 bucket of yours, in the same region, for the code bundle
#   HUB_ALARM_TOPIC_ARN   the SNS topic that receives the alarms
#   HUB_CURSOR_SECRET     32+ characters that encrypt pagination cursors (`new,old` to rotate)
#   HUB_MAIL_FROM         the address notification emails come from, verified in SES in this
#                         region (the address or its domain), e.g. hub@ville.example
# Sign-in: nothing more, and the stack creates its own Cognito user pool (optional:
# HUB_SIGN_IN_PROVIDERS, how people sign in there: COGNITO and/or providers federated into
# it, comma-separated, default COGNITO; HUB_VERIFIED_PROVIDERS, those of them whose people
# are identity-verified, e.g. FranceConnect); or an external OpenID Connect provider, all of:
#   HUB_OIDC_ISSUER       its issuer (the tokens' `iss`)
#   HUB_JWKS_URL          its signing keys, https://...
#   HUB_OIDC_CLIENT_ID    the web client's id there (public client, code flow + PKCE,
#                         redirect URI https://<site>/signed-in); also the tokens' `aud`
#                         unless HUB_OIDC_AUDIENCE says otherwise
#   HUB_OIDC_AUTHORIZE_URL, HUB_OIDC_TOKEN_URL   its endpoints
#   optional: HUB_OIDC_LOGOUT_URL, HUB_OIDC_SCOPE (openid email profile)
# Optional: HUB_API_RATE_LIMIT (200), HUB_API_BURST_LIMIT (400), HUB_LOG_RETENTION_DAYS (90),
#           HUB_WEB_ORIGINS (other web clients' origins allowed by CORS, comma-separated;
#           none), HUB_TRACING (X-Ray: Active, or PassThrough, the default: no traces),
#           HUB_MAIL_FROM_NAME (the name shown beside HUB_MAIL_FROM: Hub; empty for none),
#           HUB_SES_RATE (emails per second the stack may send: SES's rate or less; 10),
#           HUB_BUILD (build), and the usual AWS_PROFILE, AWS_REGION.
set -euo pipefail

build="${HUB_BUILD:-build}"
stack="${HUB_STACK:-hub}"

missing=()
required=(HUB_ARTIFACT_BUCKET HUB_ALARM_TOPIC_ARN HUB_CURSOR_SECRET HUB_MAIL_FROM)
if [[ -n "${HUB_OIDC_ISSUER:-}" ]]; then
  required+=(HUB_JWKS_URL HUB_OIDC_CLIENT_ID HUB_OIDC_AUTHORIZE_URL HUB_OIDC_TOKEN_URL)
fi
for name in "${required[@]}"; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "deploy: set ${missing[*]} first (see the README, \"Deploying\")" >&2
  exit 2
fi
if [[ ! -f "$build/sam.yaml" || ! -f "$build/deployment.zip" || ! -f "$build/web/index.html" ]]; then
  echo "deploy: no $build/sam.yaml, $build/deployment.zip and $build/web/: run \`make package\` first" >&2
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
    "OidcIssuer=${HUB_OIDC_ISSUER:-}" \
    "OidcAudience=${HUB_OIDC_AUDIENCE:-${HUB_OIDC_CLIENT_ID:-hub}}" \
    "JwksUrl=${HUB_JWKS_URL:-}" \
    "OidcClientId=${HUB_OIDC_CLIENT_ID:-}" \
    "OidcAuthorizeUrl=${HUB_OIDC_AUTHORIZE_URL:-}" \
    "OidcTokenUrl=${HUB_OIDC_TOKEN_URL:-}" \
    "OidcLogoutUrl=${HUB_OIDC_LOGOUT_URL:-}" \
    "OidcScope=${HUB_OIDC_SCOPE:-openid email profile}" \
    "SignInProviders=${HUB_SIGN_IN_PROVIDERS:-COGNITO}" \
    "VerifiedIdentityProviders=${HUB_VERIFIED_PROVIDERS:-}" \
    "AlarmTopicArn=$HUB_ALARM_TOPIC_ARN" \
    "CursorSecret=$HUB_CURSOR_SECRET" \
    "ApiRateLimit=${HUB_API_RATE_LIMIT:-200}" \
    "ApiBurstLimit=${HUB_API_BURST_LIMIT:-400}" \
    "LogRetentionDays=${HUB_LOG_RETENTION_DAYS:-90}" \
    "WebOrigins=${HUB_WEB_ORIGINS:-}" \
    "Tracing=${HUB_TRACING:-PassThrough}" \
    "MailFrom=$HUB_MAIL_FROM" \
    "MailFromName=${HUB_MAIL_FROM_NAME-Hub}" \
    "SesRate=${HUB_SES_RATE:-10}"

# The stack's outputs, one "Key<TAB>Value" line each.
declare -A output
while IFS=$'\t' read -r key value; do
  [[ -n "$key" ]] && output["$key"]="$value"
done < <(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output text)
for key in WebBucketName DistributionId WebConfig SiteUrl; do
  [[ -n "${output[$key]:-}" ]] || { echo "deploy: the stack has no $key output" >&2; exit 1; }
done
bucket="${output[WebBucketName]}"

# The web client. Its file names carry no version (no build step), so they are cached
# briefly (5 minutes, in browsers and at the edge until the invalidation below);
# index.html and config.json are revalidated at each visit, and go last, once the files
# they lead to are there. --delete removes what a new version no longer has.
printf '%s\n' "${output[WebConfig]}" > "$build/web/config.json"
aws s3 sync "$build/web" "s3://$bucket" --delete \
  --exclude index.html --exclude config.json \
  --cache-control "public, max-age=300"
aws s3 cp "$build/web/config.json" "s3://$bucket/config.json" \
  --cache-control "no-cache" --content-type "application/json"
aws s3 cp "$build/web/index.html" "s3://$bucket/index.html" \
  --cache-control "no-cache" --content-type "text/html; charset=utf-8"
aws cloudfront create-invalidation --distribution-id "${output[DistributionId]}" \
  --paths "/*" >/dev/null

echo "deploy: the Hub is at ${output[SiteUrl]} (its API under /v1)"
