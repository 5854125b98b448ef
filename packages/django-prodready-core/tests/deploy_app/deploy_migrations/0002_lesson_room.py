import importlib

Migration = importlib.import_module("tests.deploy_app.migrations.0002_lesson_room").Migration
