"""Spreadsheet import of an office's existing caseload (and, through the same engine, partners).

* ``reader``: checks an upload is a real XLSX or CSV and reads its sheets into plain rows;
* ``values``: column specifications, header matching, dates, coded values, unsafe text;
* ``template``: the downloadable XLSX template with its allowed-values sheet;
* ``engine``: the batch life cycle (check, preview rows, confirm, commit in one transaction,
  in the background for large files) shared by every kind of import;
* ``clients``: the clients importer (clients, their orders and past contacts);
* ``tasks``: the Celery task that runs a large import.
"""
