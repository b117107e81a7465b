"""The lake on S3-compatible object storage (docs/scale-out.md): `WATTLAKE_LAKE_DIR=s3://bucket/lake`
and dlt's filesystem credentials, against moto's S3 server on loopback. The extract lists and
deletes the files of unfinished loads through dlt's own fsspec client (extract/lake.py), so a
bucket must behave as a folder does: the same rows as a clean folder lake, after a clean run and
after a run killed during its load then re-run.

s3fs and moto come with requirements-spark.txt (big-data mode), which is installed wherever this
folder is collected. Spark itself reading `s3a://` needs Hadoop's S3A jars from Maven, out of
reach here: that half is described in docs/scale-out.md, not tested.
"""

from __future__ import annotations

import boto3
import pytest
import s3fs
from moto.server import ThreadedMotoServer

from tests.extract.test_lake import KEYS, MOMENTS, OCTOBER, Lake, clean_lake  # noqa: F401
from tests.helpers import free_port

BUCKET = "wattlake-lake"
KEY, SECRET, REGION = "test-key", "test-secret", "eu-west-3"


@pytest.fixture(scope="module")
def s3():
    """(the endpoint, an s3fs client of it) of a moto S3 server holding an empty bucket."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        admin = boto3.client(
            "s3", endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id=KEY, aws_secret_access_key=SECRET,
        )  # fmt: skip
        admin.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        client = s3fs.S3FileSystem(
            key=KEY,
            secret=SECRET,
            endpoint_url=endpoint,
            client_kwargs={"region_name": REGION},
            use_listings_cache=False,  # the extract changes the bucket behind this client's back
        )
        yield endpoint, client
    finally:
        server.stop()


def s3_lake(tmp_path, base_url: str, s3, prefix: str) -> Lake:
    endpoint, client = s3
    credentials = {
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "REGION_NAME": REGION,
        "ENDPOINT_URL": endpoint,
    }
    return Lake(
        tmp_path,
        base_url,
        url=f"s3://{BUCKET}/{prefix}/lake",
        filesystem=client,
        **{f"DESTINATION__FILESYSTEM__CREDENTIALS__{name}": v for name, v in credentials.items()},
    )


def test_an_s3_lake_holds_the_rows_of_a_folder_lake(tmp_path, standin, s3, clean_lake):  # noqa: F811
    lake = s3_lake(tmp_path, standin.base_url, s3, "clean")
    result = lake.extract()
    assert f"lake s3://{BUCKET}/clean/lake (Parquet)" in result.stdout
    assert {name.split("/")[1] for name in lake.files()} == {
        name.split("/")[1] for name in clean_lake.files()
    }
    for table in KEYS:
        assert lake.staged_rows(table) == clean_lake.staged_rows(table), table
    assert not (tmp_path / "lake").exists()  # nothing went to a local folder instead


@pytest.mark.parametrize("moment", ["load", "load-files-written", "load-state-written"])
def test_an_s3_lake_run_killed_then_rerun_equals_a_clean_run(
    tmp_path,
    standin,
    s3,
    clean_lake,  # noqa: F811
    moment,
):
    lake = s3_lake(tmp_path, standin.base_url, s3, f"killed-{moment}")
    lake.extract(**OCTOBER)
    lake.kill_at(*MOMENTS[moment])
    if moment.startswith("load-"):  # at "load", a file may still be on its way to the bucket
        assert lake.unfinished_data_files(), "the kill came after the load completed"
    result = lake.extract()
    assert "interrupted run left a load unfinished" in result.stdout
    assert not lake.unfinished_data_files()
    for table in KEYS:
        assert lake.staged_rows(table) == clean_lake.staged_rows(table), table


def test_an_unreachable_bucket_is_one_line_and_a_non_zero_exit(tmp_path, standin, s3):
    lake = s3_lake(tmp_path, standin.base_url, s3, "unreachable")
    closed = f"http://127.0.0.1:{free_port()}"
    result = lake.run_extract(DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL=closed)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr  # one per source, both refused before writing a file
    for line in errors:
        assert line.startswith(f"error: cannot list the lake s3://{BUCKET}/unreachable/lake (")
        assert f'Could not connect to the endpoint URL: "{closed}/' in line
        assert line.endswith(
            "check WATTLAKE_LAKE_DIR and the [destination.filesystem.credentials] in "
            ".dlt/secrets.toml (docs/scale-out.md)"
        )
    assert "Traceback" not in result.stdout + result.stderr
