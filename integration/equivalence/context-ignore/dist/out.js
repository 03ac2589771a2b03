dist
