"""The residents' public pages (改造进度与议事结果公开) and their QR posters; served by public/app.py."""
