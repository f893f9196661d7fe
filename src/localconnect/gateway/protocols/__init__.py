"""One reader and one writer per AWS wire protocol, each driven entirely by the service model.

``rest_json`` (restJson1), ``json_rpc`` (awsJson1_0 / awsJson1_1) and ``query`` (awsQuery) share the value
conversions in ``values`` (timestamps, blobs, special floats) and, for the two JSON protocols, the
shape-directed JSON document walk in ``json_doc``.
"""
