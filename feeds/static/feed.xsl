<?xml version="1.0" encoding="UTF-8"?>
<!--
  feeds: shows an Atom feed opened in a web browser as a readable page.
  Feed readers ignore this file; browsers apply it through the feed's
  <?xml-stylesheet?> instruction. Summaries are sanitized HTML (feeds.normalize).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:a="http://www.w3.org/2005/Atom"
    xmlns:fh="http://purl.org/syndication/history/1.0"
    exclude-result-prefixes="a fh">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:template match="/a:feed">
    <xsl:variable name="self" select="a:link[@rel='self']/@href"/>
    <html lang="{(a:entry/@xml:lang)[1]}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="a:title"/> (web feed)</title>
        <style>
          body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
          header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}
          h1{margin:.2rem 0}
          .subscribe{background:#fff8e1;border:1px solid #f0d98a;border-radius:6px;padding:.8rem 1rem}
          .subscribe code{word-break:break-all;background:#fff;padding:.1rem .3rem}
          nav a{margin-right:1rem}
          article{margin:1.6rem 0;padding-bottom:1rem;border-bottom:1px solid #eee}
          article h2{font-size:1.15rem;margin:0 0 .2rem}
          .meta,.related,.formats{color:#555;font-size:.9rem;margin:.2rem 0}
          .summary{margin:.4rem 0}
          a{color:#0b57d0}
        </style>
      </head>
      <body>
        <header>
          <p class="site"><a href="{a:link[@rel='alternate'][@type='text/html']/@href}">
            <xsl:value-of select="a:author/a:name"/></a></p>
          <h1><xsl:value-of select="a:title"/></h1>
          <xsl:if test="a:subtitle"><p><xsl:value-of select="a:subtitle"/></p></xsl:if>
          <p class="subscribe">
            <xsl:choose>
              <xsl:when test="fh:archive">
                This page is part of the history of a web feed. To subscribe, copy the address
                <code><xsl:value-of select="a:link[@rel='current']/@href"/></code>
                into your feed reader (newsboat, NetNewsWire, Thunderbird, Miniflux…).
              </xsl:when>
              <xsl:otherwise>
                This is a web feed. To subscribe, copy its address
                <code><xsl:value-of select="$self"/></code>
                into your feed reader (newsboat, NetNewsWire, Thunderbird, Miniflux…).
              </xsl:otherwise>
            </xsl:choose>
          </p>
          <xsl:if test="a:link[@rel='alternate'][@type!='text/html']">
            <p class="formats">Also as
              <xsl:for-each select="a:link[@rel='alternate'][@type!='text/html']">
                <a href="{@href}" type="{@type}">
                  <xsl:choose>
                    <xsl:when test="@type='application/rss+xml'">RSS</xsl:when>
                    <xsl:when test="@type='application/feed+json'">JSON Feed</xsl:when>
                    <xsl:otherwise><xsl:value-of select="@type"/></xsl:otherwise>
                  </xsl:choose>
                </a>
                <xsl:if test="position() != last()"> · </xsl:if>
              </xsl:for-each>
            </p>
          </xsl:if>
          <nav>
            <xsl:if test="a:link[@rel='current']">
              <a href="{a:link[@rel='current']/@href}">Newest entries</a>
            </xsl:if>
            <xsl:if test="a:link[@rel='next-archive']">
              <a href="{a:link[@rel='next-archive']/@href}">← Newer</a>
            </xsl:if>
            <xsl:if test="a:link[@rel='prev-archive']">
              <a href="{a:link[@rel='prev-archive']/@href}">Older entries →</a>
            </xsl:if>
          </nav>
        </header>
        <main>
          <xsl:if test="not(a:entry)"><p>No entries yet.</p></xsl:if>
          <xsl:apply-templates select="a:entry"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="a:entry">
    <article lang="{@xml:lang}">
      <h2>
        <xsl:choose>
          <xsl:when test="a:link[@rel='alternate']">
            <a href="{a:link[@rel='alternate']/@href}"><xsl:value-of select="a:title"/></a>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="a:title"/></xsl:otherwise>
        </xsl:choose>
      </h2>
      <p class="meta">
        <time datetime="{a:published}">
          <xsl:value-of select="substring(a:published, 1, 10)"/>
        </time>
        <xsl:if test="a:source/a:title"> · <xsl:value-of select="a:source/a:title"/></xsl:if>
        <!-- An author that is the source itself (an entry that names none) is not named
             twice: "desk · desk" (#15 item 3). -->
        <xsl:if test="a:author[not(a:name = ../a:source/a:title)]">
          · <xsl:for-each select="a:author[not(a:name = ../a:source/a:title)]">
            <xsl:value-of select="a:name"/>
            <xsl:if test="position() != last()">, </xsl:if>
          </xsl:for-each>
        </xsl:if>
        <xsl:if test="a:updated != a:published">
          · updated <xsl:value-of select="substring(a:updated, 1, 10)"/>
        </xsl:if>
      </p>
      <xsl:if test="a:summary">
        <div class="summary">
          <xsl:value-of select="a:summary" disable-output-escaping="yes"/>
        </div>
      </xsl:if>
      <xsl:if test="a:link[@rel='related']">
        <p class="related">Also reported by:
          <xsl:for-each select="a:link[@rel='related']">
            <a href="{@href}"><xsl:value-of select="@title"/></a>
            <xsl:if test="position() != last()">, </xsl:if>
          </xsl:for-each>
        </p>
      </xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
