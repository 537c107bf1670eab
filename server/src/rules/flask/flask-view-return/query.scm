(return_statement) @finding
