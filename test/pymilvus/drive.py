"""Drive a Sextant server with pymilvus (2.5 / 2.6) the way a Milvus user does; print a PASS/FAIL table.

Usage (see README.md in this folder for the set-up):
  PYTHONPATH=<pymilvus source> /usr/bin/python3 test/pymilvus/drive.py --repo .   # starts dist/src/server/main.js
  PYTHONPATH=... /usr/bin/python3 test/pymilvus/drive.py --uri http://127.0.0.1:19530 --import-root DIR
Exit status 0 when every feature passes (SKIP does not fail), 1 otherwise. --json prints the table as JSON.
"""

import argparse
import importlib.util
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import pymilvus
from pymilvus import (
    AnnSearchRequest,
    Collection,
    CollectionSchema,
    DataType,
    FieldSchema,
    MilvusClient,
    MilvusException,
    Partition,
    RRFRanker,
    connections,
    utility,
)

DIM = 8
ROWS = 200
VERSION = tuple(int(p) for p in pymilvus.__version__.split(".")[:2] if p.isdigit())
IS_26 = VERSION >= (2, 6)


class Skip(Exception):
    """The feature cannot run here; the message says why."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(repo):
    data = tempfile.mkdtemp(prefix="sextant-pymilvus-")
    port, http_port = free_port(), free_port()
    log = open(os.path.join(data, "server.log"), "wb")
    proc = subprocess.Popen(
        ["node", os.path.join(repo, "dist/src/server/main.js"), "--data", data,
         "--port", str(port), "--http-port", str(http_port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=repo)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {data}/server.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not open its port within 60 s")
    import_root = os.path.join(data, "import")
    os.makedirs(import_root, exist_ok=True)
    return proc, data, f"http://127.0.0.1:{port}", import_root


def vec(i):
    rnd = random.Random(i)
    return [rnd.random() for _ in range(DIM)]


def row(i):
    r = {"id": i, "vec": vec(i), "title": f"t{i % 10}", "score": i % 17,
         "tags": [f"g{i % 3}", f"h{i % 5}"], "nums": None if i % 5 == 0 else [i, i + 1],
         "js": {"a": i % 50, "b": f"s{i % 4}"}, "color": ["red", "green", "blue"][i % 3]}
    return r


def drain(it):
    """The ids of every batch of a query or search iterator, until it runs dry (then closed)."""
    seen = []
    while True:
        b = it.next()
        if not b:
            it.close()
            return seen
        seen.extend(r["id"] for r in b)


def expect_error(fn, code=None, text=None):
    """Call fn, require a MilvusException with the code and the substring (as pymilvus users compare)."""
    try:
        fn()
    except MilvusException as e:
        if code is not None and e.code != code:
            raise AssertionError(f"code {e.code} != {code}: {e.message}") from None
        if text is not None and text not in e.message:
            raise AssertionError(f"{text!r} not in {e.message!r}") from None
        return e
    raise AssertionError("no error raised")


class Driver:
    def __init__(self, uri, import_root):
        self.uri = uri
        self.import_root = import_root
        self.client = MilvusClient(uri=uri)
        connections.connect(alias="default", uri=uri)
        self.results = []
        self.c = "py_items"

    def run(self, name, fn):
        t0 = time.time()
        try:
            detail = fn() or ""
            status = "PASS"
        except Skip as e:
            status, detail = "SKIP", str(e)
        except Exception as e:  # noqa: BLE001 — every failure is a row of the table
            status = "FAIL"
            detail = f"{type(e).__name__}: {e}"
            if os.environ.get("DRIVE_TRACE"):
                traceback.print_exc()
        self.results.append((name, status, detail.replace("\n", " ")[:160], time.time() - t0))

    # --- MilvusClient --------------------------------------------------------------------------------

    def create_with_arrays(self):
        c = self.client
        if c.has_collection(self.c):
            c.drop_collection(self.c)
        s = c.create_schema(auto_id=False, enable_dynamic_field=True)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("vec", DataType.FLOAT_VECTOR, dim=DIM)
        s.add_field("title", DataType.VARCHAR, max_length=64)
        s.add_field("score", DataType.INT64)
        s.add_field("tags", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=4, max_length=16)
        s.add_field("nums", DataType.ARRAY, element_type=DataType.INT64, max_capacity=4, nullable=True)
        s.add_field("js", DataType.JSON)
        c.create_collection(self.c, schema=s)
        d = c.describe_collection(self.c)
        assert d["num_partitions"] == 1, f"num_partitions {d['num_partitions']}"
        res = c.insert(self.c, [row(i) for i in range(ROWS)])
        assert res["insert_count"] == ROWS, res
        return "insert with arrays and nullable arrays (None rows), num_partitions=1"

    def indexes(self):
        c = self.client
        p = c.prepare_index_params()
        p.add_index(field_name="vec", index_type="HNSW", metric_type="L2", params={"M": 8, "efConstruction": 64})
        p.add_index(field_name="title", index_type="INVERTED")
        p.add_index(field_name="score", index_type="STL_SORT")
        p.add_index(field_name="tags", index_type="INVERTED")
        p.add_index(field_name="js", index_type="INVERTED", index_name="js_a",
                    params={"json_path": "js['a']", "json_cast_type": "double"})
        p.add_index(field_name="js", index_type="INVERTED", index_name="js_b",
                    params={"json_path": "js['b']", "json_cast_type": "varchar"})
        p.add_index(field_name="color", index_type="INVERTED", index_name="color_idx",
                    params={"json_path": "color", "json_cast_type": "varchar"})
        c.create_index(self.c, p)
        names = set(c.list_indexes(self.c))
        want = {"vec", "title", "score", "tags", "js_a", "js_b", "color_idx"}
        assert want <= names, f"indexes {sorted(names)}"
        d = c.describe_index(self.c, "js_a")
        assert d.get("json_path") == "js['a']" and d.get("json_cast_type") in ("double", "DOUBLE"), d
        return f"{len(names)} indexes incl. 3 JSON path"

    def load_search_query(self):
        c = self.client
        c.load_collection(self.c)
        assert str(c.get_load_state(self.c)["state"]).endswith("Loaded"), c.get_load_state(self.c)
        got = c.query(self.c, filter="id in [0, 1]", output_fields=["nums", "tags"], consistency_level="Strong")
        got = {r["id"]: r for r in got}
        assert got[0]["nums"] is None, got[0]
        assert list(got[1]["nums"]) == [1, 2] and list(got[1]["tags"]) == ["g1", "h1"], got[1]
        hits = c.search(self.c, data=[vec(7)], limit=5, filter="js['a'] >= 0 and color == 'green'",
                        output_fields=["title", "color", "js"], search_params={"params": {"ef": 64}})
        assert len(hits) == 1 and len(hits[0]) == 5, hits
        assert hits[0][0]["id"] == 7, hits[0][0]
        assert all(h["entity"]["color"] == "green" for h in hits[0]), hits[0]
        rows = c.query(self.c, filter="js['b'] == 's1' and score < 5 and array_contains(tags, 'g0')",
                       output_fields=["id"])
        want = sorted(i for i in range(ROWS) if i % 4 == 1 and i % 17 < 5 and i % 3 == 0)
        assert sorted(r["id"] for r in rows) == want, (sorted(r["id"] for r in rows), want)
        cnt = c.query(self.c, filter="color == 'red'", output_fields=["count(*)"])
        assert cnt[0]["count(*)"] == len([i for i in range(ROWS) if i % 3 == 0]), cnt
        return f"search top-5, query {len(want)} rows, count(*)"

    def paging(self):
        c = self.client
        full = [r["id"] for r in c.query(self.c, filter="id >= 0", output_fields=["id"], limit=ROWS)]
        assert sorted(full) == list(range(ROWS)), len(full)
        page = [r["id"] for r in c.query(self.c, filter="id >= 0", output_fields=["id"], limit=10, offset=20)]
        assert page == list(range(20, 30)), page
        seen = drain(c.query_iterator(self.c, batch_size=30, filter="id >= 0", output_fields=["id"]))
        assert sorted(seen) == list(range(ROWS)), len(seen)
        s1 = c.search(self.c, data=[vec(3)], limit=10, search_params={"params": {"ef": 64}})[0]
        s2 = c.search(self.c, data=[vec(3)], limit=5, offset=5, search_params={"params": {"ef": 64}})[0]
        assert [h["id"] for h in s1][5:] == [h["id"] for h in s2], (s1, s2)
        return "query limit/offset, query_iterator, search offset"

    def upsert(self):
        c = self.client
        r = row(3)
        r["title"] = "changed"
        res = c.upsert(self.c, [r])
        assert res["upsert_count"] == 1, res
        got = c.query(self.c, filter="id == 3", output_fields=["title", "score"], consistency_level="Strong")
        assert got[0]["title"] == "changed", got
        return "full-row upsert"

    def partial_upsert(self):
        if not IS_26:
            raise Skip("pymilvus 2.5 has no partial_update")
        c = self.client
        c.upsert(self.c, [{"id": 4, "score": 99}, {"id": 6, "score": 98}], partial_update=True)
        got = {r["id"]: r for r in c.query(self.c, filter="id in [4, 6]", output_fields=["title", "score", "nums", "color"],
                                           consistency_level="Strong")}
        assert got[4]["score"] == 99 and got[4]["title"] == "t4" and list(got[4]["nums"]) == [4, 5], got[4]
        assert got[6]["score"] == 98 and got[6]["color"] == "red", got[6]
        return "only the given fields changed"

    def order_by(self):
        if not IS_26:
            raise Skip("pymilvus 2.5 has no order_by_fields")
        c = self.client
        hits = c.search(self.c, data=[vec(11)], limit=20, output_fields=["score"],
                        order_by_fields=[{"field": "score", "order": "desc"}], search_params={"params": {"ef": 64}})[0]
        scores = [h["entity"]["score"] for h in hits]
        assert len(scores) == 20 and scores == sorted(scores, reverse=True), scores
        return "search order_by_fields score desc (pymilvus 2.6.17 sends it for search only)"

    def nullable_vector(self):
        if not IS_26:
            raise Skip("pymilvus 2.5 has no nullable vector fields")
        c = self.client
        name = "py_nullable_vec"
        if c.has_collection(name):
            c.drop_collection(name)
        s = c.create_schema(auto_id=False)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("v", DataType.FLOAT_VECTOR, dim=DIM)
        s.add_field("nv", DataType.FLOAT_VECTOR, dim=DIM, nullable=True)
        c.create_collection(name, schema=s)
        c.insert(name, [{"id": 1, "v": vec(1), "nv": None}])  # a batch of nulls only: pymilvus sends just the dim
        c.insert(name, [{"id": 2, "v": vec(2), "nv": None}, {"id": 3, "v": vec(3), "nv": vec(30)}])
        p = c.prepare_index_params()
        p.add_index(field_name="v", index_type="FLAT", metric_type="L2")
        p.add_index(field_name="nv", index_type="FLAT", metric_type="L2")
        c.create_index(name, p)
        c.load_collection(name)
        got = {r["id"]: r["nv"] for r in c.query(name, filter="id > 0", output_fields=["nv"])}
        assert got[1] is None and got[2] is None, got
        assert [round(x, 5) for x in got[3]] == [round(x, 5) for x in vec(30)], got[3]
        hits = c.search(name, data=[vec(30)], anns_field="nv", limit=3, output_fields=["nv"])[0]
        assert [h["id"] for h in hits] == [3], hits
        c.drop_collection(name)
        return "null-only batch, mixed batch, query and search read the right vectors"

    def more_calls(self):
        c = self.client
        name = "py_more"
        if c.has_collection(name):
            c.drop_collection(name)
        s = c.create_schema(auto_id=False, enable_dynamic_field=True)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("a", DataType.FLOAT_VECTOR, dim=DIM)
        s.add_field("b", DataType.FLOAT_VECTOR, dim=DIM)
        s.add_field("t", DataType.VARCHAR, max_length=32)
        c.create_collection(name, schema=s)
        c.insert(name, [{"id": i, "a": vec(i), "b": vec(i + 1000), "t": f"x{i % 7}", "k": i} for i in range(300)])
        p = c.prepare_index_params()
        p.add_index(field_name="a", index_type="HNSW", metric_type="COSINE", params={"M": 8, "efConstruction": 32})
        p.add_index(field_name="b", index_type="IVF_FLAT", metric_type="L2", params={"nlist": 4})
        c.create_index(name, p)
        c.load_collection(name)
        got = c.get(name, ids=[1, 2, 999], output_fields=["t", "k"])
        assert sorted((r["id"], r["k"]) for r in got) == [(1, 1), (2, 2)], got
        assert c.get_collection_stats(name)["row_count"] == 300
        seen = drain(c.search_iterator(name, data=[vec(5)], anns_field="a", batch_size=50, limit=200, output_fields=["id"],
                                       search_params={"metric_type": "COSINE", "params": {"ef": 64}}))
        assert len(seen) == 200 and len(set(seen)) == 200, (len(seen), len(set(seen)))
        r1 = AnnSearchRequest(data=[vec(5)], anns_field="a", param={"metric_type": "COSINE", "params": {"ef": 64}}, limit=10)
        r2 = AnnSearchRequest(data=[vec(1005)], anns_field="b", param={"metric_type": "L2", "params": {"nprobe": 4}}, limit=10)
        hy = c.hybrid_search(name, [r1, r2], RRFRanker(), limit=5)[0]
        assert hy[0]["id"] == 5 and len(hy) == 5, hy
        g = c.search(name, data=[vec(5)], anns_field="a", limit=5, group_by_field="t", output_fields=["t"])[0]
        assert len({h["entity"]["t"] for h in g}) == 5, g
        rg = c.search(name, data=[vec(1005)], anns_field="b", limit=50,
                      search_params={"metric_type": "L2", "params": {"nprobe": 4, "radius": 1.0, "range_filter": 0.0}})[0]
        assert rg and all(0.0 <= h["distance"] < 1.0 for h in rg), rg
        q = c.query(name, filter="k in {ks} and t like 'x%'", filter_params={"ks": [1, 2]}, output_fields=["k"])
        assert sorted(r["k"] for r in q) == [1, 2], q
        c.delete(name, ids=[1, 2])
        c.delete(name, filter="k >= 290")
        cnt = c.query(name, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
        assert cnt == 288, cnt
        c.alter_collection_properties(name, properties={"collection.ttl.seconds": 100})
        assert c.describe_collection(name)["properties"].get("collection.ttl.seconds") == "100"
        c.flush(name)
        job = c.compact(name)
        assert c.get_compaction_state(job) in ("Executing", "Completed")
        c.create_alias(name, "py_more_alias")
        assert c.describe_alias("py_more_alias")["collection_name"] == name
        expect_error(lambda: c.drop_collection(name), None, "please remove all aliases before dropping the collection")
        c.drop_alias("py_more_alias")
        c.drop_collection(name)
        return "get, stats, search_iterator, hybrid RRF, group_by, range, templates, deletes, ttl, compact, alias"

    def names_validated(self):
        c = self.client
        expect_error(lambda: c.load_collection("12-s"), 1100,
                     "Invalid collection name: 12-s. the first character of a collection name must be an underscore or letter")
        expect_error(lambda: c.release_collection("12-s"), 1100, "Invalid collection name: 12-s")
        expect_error(lambda: c.has_partition(self.c, "%$#"), None, "Invalid partition name")
        expect_error(lambda: c.load_collection("a" * 256), 1100, "the length of a collection name must be less than 255 characters")
        expect_error(lambda: c.create_partition(self.c, "p-1"), 1100, "Invalid partition name: p-1. partition name can only contain")
        expect_error(lambda: c.insert(self.c, [row(1000)], partition_name="%$#"), None, "Invalid partition name")
        expect_error(lambda: c.load_partitions(self.c, ["%$#"]), None, "Invalid partition name")
        expect_error(lambda: c.create_alias(self.c, "9al"), 1100, "Invalid alias name")
        p = c.prepare_index_params()
        p.add_index(field_name="vec", index_type="FLAT", metric_type="L2")
        expect_error(lambda: c.create_index("12-s", p), 1100, "Invalid collection name: 12-s")
        expect_error(lambda: c.create_database("1db"), 1100, "Invalid database name: 1db. the first character of a database name")
        return "collection/partition/alias/index/database names"

    def error_texts(self):
        c = self.client
        expect_error(lambda: c.describe_alias("no_such_alias"), None, "alias not found[database=default][alias=no_such_alias]")
        other = "py_other"
        if c.has_collection(other):
            c.drop_collection(other)
        c.create_collection(other, dimension=DIM)
        expect_error(lambda: c.rename_collection(other, self.c), None,
                     f"duplicated new collection name default:{self.c} with other collection name or alias")
        c.create_alias(other, "py_other_alias")
        expect_error(lambda: c.rename_collection("py_other_alias", "py_renamed"), None, None)
        c.drop_alias("py_other_alias")
        expect_error(lambda: c.query(self.c, filter="nosuch >", output_fields=["id"]), None, "failed to create query plan: ")
        expect_error(lambda: c.search(self.c, data=[vec(1)], limit=16385), None, ", but got 16385")
        bad = row(5001)
        bad["vec"] = vec(1)[:5]
        # Milvus measures the data against the schema's dim (pymilvus states the last row's dim).
        expect_error(lambda: c.insert(self.c, [bad]), None, f"the length(5) of float data should divide the dim({DIM})")
        expect_error(lambda: c.insert(self.c, [row(5000), bad]), None, f"the length(13) of float data should divide the dim({DIM})")
        expect_error(lambda: c.search(self.c, data=[vec(1)[:5]], limit=3, filter="nosuch >"), None,
                     "failed to create query plan: ")
        # An unknown hint is refused by Milvus's plan parser (milvus#38705: "hints: X not supported", 65535).
        expect_error(lambda: c.search(self.c, data=[vec(1)], limit=3, search_params={"hints": "no_such_hint"}), 65535,
                     "hints: no_such_hint not supported")
        c.search(self.c, data=[vec(1)], limit=3, filter="id >= 0", search_params={"hints": "iterative_filter"})
        c.drop_collection(other)
        return "alias, rename, plan, topk, dim, filter-before-dim, alias rename, unknown hint"

    def vector_null_filter(self):
        # Milvus's test suite: `<vector> is null` in a search filter answers 65535 from the segment core.
        for f in ("vec is null", "vec IS NOT NULL"):
            expect_error(lambda: self.client.search(self.c, data=[vec(1)], limit=3, filter=f), 65535,
                         "unsupported data type: VECTOR_FLOAT")
        return "65535 unsupported data type: VECTOR_FLOAT"

    def null_vector(self):
        # pymilvus refuses a None vector itself (2.5 and 2.6 check row types client-side); the server's text is
        # exercised by the Node tests. Record what pymilvus says.
        bad = row(6000)
        bad["vec"] = None
        try:
            self.client.insert(self.c, [bad])
        except MilvusException as e:
            if "unsupported data type: VECTOR_FLOAT" in e.message or e.code in (1, 1100, 65535) or "vec" in e.message:
                return f"refused: {e.message[:80]}"
            raise
        except Exception as e:  # noqa: BLE001 — client-side type errors
            return f"refused client-side: {type(e).__name__}"
        raise AssertionError("a None vector was accepted")

    def segment_info(self):
        c = self.client
        c.flush(self.c)
        segs = utility.get_query_segment_info(self.c)
        assert segs, "no segments"
        assert all(s.state == 3 for s in segs), [s.state for s in segs]  # 3 = Sealed
        assert sum(s.num_rows for s in segs) >= ROWS, [s.num_rows for s in segs]
        unsorted = [s.is_sorted for s in segs]  # an upsert appended id 3 after id 199
        name = "py_sorted"
        if c.has_collection(name):
            c.drop_collection(name)
        c.create_collection(name, dimension=DIM)  # quick set-up: indexed and loaded
        c.insert(name, [{"id": i, "vector": vec(i)} for i in range(50)])
        c.flush(name)
        c.insert(name, [{"id": i, "vector": vec(i)} for i in range(60, 50, -1)])  # growing: not listed
        segs2 = utility.get_query_segment_info(name)
        assert [s.state for s in segs2] == [3] and segs2[0].num_rows == 50, [(s.state, s.num_rows) for s in segs2]
        sorted_flag = segs2[0].is_sorted
        assert sorted_flag, "a segment of rows in primary-key order reports is_sorted"
        c.drop_collection(name)
        return f"{len(segs)} sealed segment(s), growing not listed; is_sorted: upserted {unsorted}, pk-ordered inserts {sorted_flag}"

    def metrics(self):
        from pymilvus.grpc_gen import milvus_pb2

        stub = self.client._get_connection()._stub
        res = stub.GetMetrics(milvus_pb2.GetMetricsRequest(request=json.dumps({"metric_type": "system_info"})))
        assert res.status.code == 0 and res.status.error_code == 0, res.status
        info = json.loads(res.response)
        nodes = info["nodes_info"]
        assert nodes and all(n["infos"]["has_error"] is False for n in nodes), nodes
        proxy = [n for n in nodes if n["infos"]["type"] == "proxy"]
        assert proxy and "hardware_infos" in proxy[0]["infos"] and "system_info" in proxy[0]["infos"], proxy
        bad = stub.GetMetrics(milvus_pb2.GetMetricsRequest(request=json.dumps({"metric_type": "nope"})))
        assert bad.status.code != 0, bad.status
        return f"{len(nodes)} nodes, has_error false"

    # --- ORM -----------------------------------------------------------------------------------------

    def orm(self):
        name = "py_orm"
        if utility.has_collection(name):
            utility.drop_collection(name)
        fields = [
            FieldSchema("pk", DataType.VARCHAR, is_primary=True, max_length=32),
            FieldSchema("emb", DataType.FLOAT_VECTOR, dim=DIM),
            FieldSchema("vals", DataType.ARRAY, element_type=DataType.DOUBLE, max_capacity=3, nullable=True),
            FieldSchema("flags", DataType.ARRAY, element_type=DataType.BOOL, max_capacity=3),
        ]
        coll = Collection(name, CollectionSchema(fields))
        part = Partition(coll, "p1")
        assert coll.has_partition("p1") and coll.num_partitions if hasattr(coll, "num_partitions") else True
        expect_error(lambda: coll.has_partition("%$#"), None, "Invalid partition name")
        rows = [{"pk": f"k{i}", "emb": vec(i), "vals": None if i % 2 else [i * 0.5], "flags": [i % 2 == 0]}
                for i in range(50)]
        part.insert(rows)
        expect_error(lambda: coll.insert(rows[:1], partition_name="%$#"), None, "Invalid partition name")
        coll.create_index("emb", {"index_type": "IVF_FLAT", "metric_type": "COSINE", "params": {"nlist": 8}})
        coll.create_index("vals", {"index_type": "INVERTED"}, index_name="vals_idx")
        coll.load()
        res = coll.search([vec(2)], "emb", {"metric_type": "COSINE", "params": {"nprobe": 8}}, limit=3,
                          expr="array_length(flags) == 1", output_fields=["vals"], partition_names=["p1"])
        assert res[0][0].id == "k2", res[0][0]
        q = coll.query("pk in ['k1', 'k2']", output_fields=["vals", "flags"], consistency_level="Strong")
        q = {r["pk"]: r for r in q}
        assert q["k1"]["vals"] is None and list(q["k2"]["vals"]) == [1.0], q
        assert coll.num_entities == 50 or coll.flush() is None
        coll.release()
        expect_error(lambda: coll.query("pk == 'k1'"), 101, None)
        coll.drop()
        return "Collection/Partition insert, index, search, query, release, drop"

    # --- import --------------------------------------------------------------------------------------

    def write_rows_file(self, name, ids):
        path = os.path.join(self.import_root, name)
        with open(path, "w") as f:
            json.dump({"rows": [row(i) for i in ids]}, f)  # BulkWriter's JSON row format
        return name

    def count(self):
        return self.client.query(self.c, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]

    def import_grpc(self):
        before = self.count()
        f = self.write_rows_file("grpc_rows.json", range(10000, 10100))
        task = utility.do_bulk_insert(collection_name=self.c, files=[f])
        deadline = time.time() + 60
        while True:
            st = utility.get_bulk_insert_state(task)
            if st.state_name in ("Completed", "Failed") or time.time() > deadline:
                break
            time.sleep(0.5)
        assert st.state_name == "Completed", f"{st.state_name}: {st.failed_reason}"
        assert st.row_count == 100, st.row_count
        tasks = utility.list_bulk_insert_tasks(collection_name=self.c)
        assert any(t.task_id == task for t in tasks), tasks
        assert self.count() == before + 100, (before, self.count())
        return f"task {task} Completed, 100 rows"

    def import_rest(self):
        path = os.path.join(os.path.dirname(pymilvus.__file__), "bulk_writer", "bulk_import.py")
        spec = importlib.util.spec_from_file_location("sextant_bulk_import", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)  # the module needs only requests; its package needs pyarrow/minio/azure
        before = self.count()
        f = self.write_rows_file("rest_rows.json", range(20000, 20050))
        res = mod.bulk_import(url=self.uri, collection_name=self.c, files=[[f]])
        job = res.json()["data"]["jobId"]
        deadline = time.time() + 60
        while True:
            prog = mod.get_import_progress(url=self.uri, job_id=job).json()["data"]
            if prog["state"] in ("Completed", "Failed") or time.time() > deadline:
                break
            time.sleep(0.5)
        assert prog["state"] == "Completed" and prog["progress"] == 100, prog
        jobs = mod.list_import_jobs(url=self.uri, collection_name=self.c).json()["data"]["records"]
        assert any(j["jobId"] == job for j in jobs), jobs
        assert self.count() == before + 50, (before, self.count())
        return f"REST job {job} Completed, 50 rows"

    def bulk_writer(self):
        try:
            from pymilvus.bulk_writer import LocalBulkWriter  # noqa: F401
        except ModuleNotFoundError as e:
            raise Skip(f"bulk_writer: {e}") from None
        raise Skip("bulk_writer importable but not driven here")

    def release_drop(self):
        c = self.client
        c.release_collection(self.c)
        expect_error(lambda: c.query(self.c, filter="id == 1"), 101, "collection not loaded")
        c.drop_collection(self.c)
        assert not c.has_collection(self.c)
        return "release then query 101, drop"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", help="Sextant checkout with dist/ built; starts a server on free ports")
    ap.add_argument("--uri", help="an already running server")
    ap.add_argument("--import-root", help="the server's import root (with --uri)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    proc = data = None
    if args.repo:
        proc, data, uri, import_root = start_server(os.path.abspath(args.repo))
    elif args.uri and args.import_root:
        uri, import_root = args.uri, args.import_root
    else:
        ap.error("give --repo, or --uri with --import-root")
    failed = True
    try:
        d = Driver(uri, import_root)
        for name, fn in [
            ("arrays without element_type + num_partitions", d.create_with_arrays),
            ("indexes: HNSW, scalar, JSON path", d.indexes),
            ("load, filtered search and query", d.load_search_query),
            ("paging", d.paging),
            ("upsert", d.upsert),
            ("partial upsert", d.partial_upsert),
            ("order by", d.order_by),
            ("nullable vector field", d.nullable_vector),
            ("more MilvusClient calls", d.more_calls),
            ("names validated before lookup", d.names_validated),
            ("Milvus error texts", d.error_texts),
            ("null vector refused", d.null_vector),
            ("is null on a vector field", d.vector_null_filter),
            ("get_query_segment_info", d.segment_info),
            ("GetMetrics system_info", d.metrics),
            ("import over gRPC (do_bulk_insert)", d.import_grpc),
            ("import over REST (bulk_import)", d.import_rest),
            ("bulk_writer files", d.bulk_writer),
            ("release, drop", d.release_drop),
            ("ORM Collection/Partition", d.orm),
        ]:
            d.run(name, fn)
        failed = any(s == "FAIL" for _, s, _, _ in d.results)
        if args.json:
            print(json.dumps({"pymilvus": pymilvus.__version__, "results": [
                {"feature": n, "status": s, "detail": t} for n, s, t, _ in d.results]}))
        else:
            print(f"pymilvus {pymilvus.__version__} against {uri}")
            for n, s, t, dt in d.results:
                print(f"{s:4}  {n:46}  {dt:5.2f}s  {t}")
        connections.disconnect("default")
        d.client.close()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if failed:
                print(f"server log kept in {data}/server.log", file=sys.stderr)
            else:
                shutil.rmtree(data, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
