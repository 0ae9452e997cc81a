"""Checks the emulator with the official Python driver (pymongo): handshake, CRUD, a change stream with resume,
and a transaction. Prints OK on success; any failure raises."""
import sys

import pymongo

uri = sys.argv[1]
client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
hello = client.admin.command("isMaster")
assert hello["setName"] == "rs0", hello
assert hello["ismaster"] is True, hello

events = client["python_check"]["events"]
events.drop()
with events.watch(max_await_time_ms=200) as stream:
    events.insert_one({"_id": "p1", "n": 1})
    events.update_one({"_id": "p1"}, {"$set": {"n": 2}})
    first = stream.next()
    assert first["operationType"] == "insert" and first["fullDocument"]["n"] == 1, first
    token = first["_id"]
    assert token["_data"].startswith("82"), token

with events.watch(resume_after=token, max_await_time_ms=200) as resumed:
    second = resumed.next()
    assert second["operationType"] == "update", second
    assert second["updateDescription"]["updatedFields"] == {"n": 2}, second

with client.start_session() as session:
    with session.start_transaction():
        events.insert_one({"_id": "p2"}, session=session)
        events.insert_one({"_id": "p3"}, session=session)
        assert events.count_documents({}) == 1
assert events.count_documents({}) == 3
print("OK")
