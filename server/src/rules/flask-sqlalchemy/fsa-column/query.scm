(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name
        right: (call
          function: (identifier) @column
          arguments: (argument_list)) @call) @finding)))
(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name
        right: (call
          function: (attribute) @column
          arguments: (argument_list)) @call) @finding)))
