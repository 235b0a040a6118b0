#!/bin/sh
# One-shot MinIO setup for compose.yaml (image minio/mc): the bucket, a policy limited to it, and the
# application's own access key, so the LabelKit servers never hold MinIO's root credentials. Safe to re-run.
set -eu
until mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  echo "waiting for minio..."
  sleep 1
done
mc mb --ignore-existing "local/$BUCKET"
# The policy names the bucket "labelkit"; another bucket name needs the same change there.
mc admin policy create local labelkit-app /init/labelkit-policy.json
mc admin user add local "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
# attach fails when the policy is already attached (a re-run): that is the state we want.
mc admin policy attach local labelkit-app --user "$S3_ACCESS_KEY" 2>/dev/null || true
echo "bucket $BUCKET ready for $S3_ACCESS_KEY"
