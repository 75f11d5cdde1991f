"""An S3-compatible object store for the media-storage test: moto's server (PyPI), on
loopback, with one empty bucket. Prints `READY <endpoint>` once it answers.

Usage: python3 s3.py PORT BUCKET
"""

import sys
import time

import boto3
from moto.server import ThreadedMotoServer


def main() -> None:
    port, bucket = int(sys.argv[1]), sys.argv[2]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-3",
        aws_access_key_id="puentes-test",
        aws_secret_access_key="puentes-test-secret",
    )
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-3"},
    )
    print(f"READY {endpoint}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
