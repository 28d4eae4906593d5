#!/usr/bin/env python3
"""Checks a nuScenes dataroot with nothing but the json module, following the tables' links the
way the nuScenes devkit does, independently of pcanno's reader.

Usage: check_nuscenes_tables.py DATAROOT

Prints one JSON object: {"scenes": {name: annotations}, "annotations": n, "categories":
{name: n}, "problems": [...]} and exits 1 when there is any problem.
"""
import json
import os
import sys

TABLES = ["attribute", "calibrated_sensor", "category", "ego_pose", "instance", "log", "map",
          "sample", "sample_annotation", "sample_data", "scene", "sensor", "visibility"]


def main():
    root = sys.argv[1]
    versions = [d for d in os.listdir(root)
                if d.startswith("v") and os.path.isdir(os.path.join(root, d))]
    if len(versions) != 1:
        print(json.dumps({"problems": ["expected one version folder, found %r" % versions]}))
        return 1
    folder = os.path.join(root, versions[0])
    tables, index, problems = {}, {}, []
    for name in TABLES:
        with open(os.path.join(folder, name + ".json")) as f:
            records = json.load(f)
        tables[name] = records
        index[name] = {}
        for r in records:
            if r["token"] in index[name]:
                problems.append("%s: token %s twice" % (name, r["token"]))
            index[name][r["token"]] = r

    def get(table, token, where):
        record = index[table].get(token)
        if record is None:
            problems.append("%s names no %s record %r" % (where, table, token))
        return record

    # sample_annotation -> sample -> scene, instance -> category (what the devkit's get() follows).
    per_scene, per_category = {}, {}
    scene_of_instance = {}
    for a in tables["sample_annotation"]:
        where = "sample_annotation " + a["token"]
        sample = get("sample", a["sample_token"], where)
        instance = get("instance", a["instance_token"], where)
        for t in a["attribute_tokens"]:
            get("attribute", t, where)
        if a["visibility_token"]:
            get("visibility", a["visibility_token"], where)
        if sample is None or instance is None:
            continue
        scene = get("scene", sample["scene_token"], "sample " + sample["token"])
        category = get("category", instance["category_token"], "instance " + instance["token"])
        if scene is None or category is None:
            continue
        per_scene[scene["name"]] = per_scene.get(scene["name"], 0) + 1
        per_category[category["name"]] = per_category.get(category["name"], 0) + 1
        if scene_of_instance.setdefault(instance["token"], scene["token"]) != scene["token"]:
            problems.append("instance %s crosses scenes" % instance["token"])

    # Chains: scene -> samples, instance -> annotations, as nbr_* say.
    for scene in tables["scene"]:
        get("log", scene["log_token"], "scene " + scene["name"])
        n, token = 0, scene["first_sample_token"]
        while token:
            sample = get("sample", token, "scene " + scene["name"])
            if sample is None or sample["scene_token"] != scene["token"]:
                problems.append("scene %s: its sample chain leaves the scene" % scene["name"])
                break
            n += 1
            if not sample["next"] and token != scene["last_sample_token"]:
                problems.append("scene %s: last_sample_token is not the chain's end" % scene["name"])
            token = sample["next"]
        if n != scene["nbr_samples"]:
            problems.append("scene %s: %d samples in the chain, nbr_samples %d"
                            % (scene["name"], n, scene["nbr_samples"]))
    for instance in tables["instance"]:
        n, token = 0, instance["first_annotation_token"]
        while token:
            a = get("sample_annotation", token, "instance " + instance["token"])
            if a is None or a["instance_token"] != instance["token"]:
                problems.append("instance %s: its chain leaves the instance" % instance["token"])
                break
            n += 1
            token = a["next"]
        if n != instance["nbr_annotations"]:
            problems.append("instance %s: %d annotations in the chain, nbr_annotations %d"
                            % (instance["token"], n, instance["nbr_annotations"]))

    # Every sample_data: its sample, pose, sensor and file; every log covered by a map.
    for sd in tables["sample_data"]:
        where = "sample_data " + sd["token"]
        get("sample", sd["sample_token"], where)
        get("ego_pose", sd["ego_pose_token"], where)
        cs = get("calibrated_sensor", sd["calibrated_sensor_token"], where)
        if cs is not None:
            get("sensor", cs["sensor_token"], "calibrated_sensor " + cs["token"])
        if not os.path.isfile(os.path.join(root, sd["filename"])):
            problems.append("%s: file %s missing" % (where, sd["filename"]))
    covered = set()
    for m in tables["map"]:
        covered.update(m["log_tokens"])
        if not os.path.isfile(os.path.join(root, m["filename"])):
            problems.append("map %s: file %s missing" % (m["token"], m["filename"]))
    for log in tables["log"]:
        if log["token"] not in covered:
            problems.append("log %s: no map covers it" % log["token"])

    print(json.dumps({"scenes": per_scene, "annotations": sum(per_scene.values()),
                      "scene_count": len(tables["scene"]), "categories": per_category,
                      "problems": problems[:20]}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
