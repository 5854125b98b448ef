import importlib

Migration = importlib.import_module("tests.deploy_app.migrations.0001_initial").Migration
