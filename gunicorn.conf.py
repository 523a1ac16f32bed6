# Read by gunicorn from the working directory: the access log masks the tokens of magic links.
logger_class = "barometre.logging.GunicornLogger"
