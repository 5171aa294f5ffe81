"""The interface's words in German, English and Chinese: navigation, headings, buttons and
messages. Templates call ``t("key")``; scripts get the ``SCRIPT_KEYS`` subset in the page's
config (``ui_config()["messages"]``). Data (labels, definitions, the memo's text) is never
translated here: it comes from the graph in the languages it has.

A key missing in one language falls back to English; a key missing in English is a bug, and
``tests/test_i18n.py`` checks that every key has all three.
"""

from __future__ import annotations

from markupsafe import Markup

from .language import ui_language

MESSAGES: dict[str, dict[str, str]] = {
    "site_title": {"en": "Alliance knowledge graph", "de": "Wissensgraph der Allianz", "zh": "联盟知识图谱"},
    "skip": {"en": "Skip to content", "de": "Zum Inhalt springen", "zh": "跳到正文"},
    "nav_main": {"en": "Main", "de": "Hauptnavigation", "zh": "主导航"},
    "nav_home": {"en": "Home", "de": "Start", "zh": "首页"},
    "nav_query": {"en": "Query", "de": "Abfrage", "zh": "查询"},
    "nav_ontology": {"en": "Ontology", "de": "Ontologie", "zh": "本体"},
    "nav_shapes": {"en": "Shapes", "de": "Regeln", "zh": "约束"},
    "nav_memo": {"en": "The memo", "de": "Die Vorlage", "zh": "原始文件"},
    "nav_download": {"en": "Download", "de": "Herunterladen", "zh": "下载"},
    "language": {"en": "Language", "de": "Sprache", "zh": "语言"},
    "search_label": {"en": "Find a city, person or event", "de": "Stadt, Person oder Ereignis finden",
                     "zh": "查找城市、人物或事件"},
    "search_placeholder": {"en": "Search: Nürnberg, Cologne, 台州 …", "de": "Suche: Nürnberg, Cologne, 台州 …",
                           "zh": "搜索：Nürnberg、Cologne、台州 …"},
    "search_button": {"en": "Search", "de": "Suchen", "zh": "搜索"},
    "search_title": {"en": "Search results", "de": "Suchergebnisse", "zh": "搜索结果"},
    "no_match": {"en": "Nothing found by that name.", "de": "Unter diesem Namen nichts gefunden.",
                 "zh": "没有找到该名称。"},
    "matched_as": {"en": "found as", "de": "gefunden als", "zh": "匹配名称"},
    "type": {"en": "Type", "de": "Typ", "zh": "类型"},
    "country": {"en": "Country", "de": "Staat", "zh": "国家"},
    "footer_data": {"en": "Data", "de": "Daten", "zh": "数据"},
    "footer_endpoint": {"en": "SPARQL endpoint", "de": "SPARQL-Endpunkt", "zh": "SPARQL 端点"},
    "knowledge_graph": {"en": "knowledge graph", "de": "Wissensgraph", "zh": "知识图谱"},
    "site_description": {"en": "Linked open data about the Chinese-German Industrial Cities Alliance, with a SPARQL 1.1 endpoint.",
                         "de": "Linked Open Data zur Chinesisch-Deutschen Industriestädteallianz, mit SPARQL-1.1-Endpunkt.",
                         "zh": "关于中德工业城市联盟的关联开放数据，提供 SPARQL 1.1 端点。"},
    "footer_sources": {"en": "(coordinates: {geonames}; country outlines: Natural Earth).",
                       "de": "(Koordinaten: {geonames}; Staatsgrenzen: Natural Earth).",
                       "zh": "（坐标：{geonames}；国界：Natural Earth）。"},
    "bundle_build": {"en": "Run {command} (or {make}).", "de": "Bauen mit {command} (oder {make}).",
                     "zh": "请运行 {command}（或 {make}）。"},
    "bundle_missing": {"en": "The workbench's scripts are not built, so editor, maps and result views are missing.",
                       "de": "Die Skripte der Arbeitsoberfläche sind nicht gebaut; Editor, Karten und Ergebnisansichten fehlen.",
                       "zh": "工作台脚本尚未构建，编辑器、地图和结果视图不可用。"},
    # error pages (a browser's; the message itself stays the server's, in English)
    "error_not_found": {"en": "Nothing here", "de": "Hier gibt es nichts", "zh": "此处没有内容"},
    "error_other": {"en": "This request could not be answered", "de": "Diese Anfrage konnte nicht beantwortet werden",
                    "zh": "无法响应此请求"},
    "error_home": {"en": "Back to the home page", "de": "Zurück zur Startseite", "zh": "返回首页"},
    # home
    "home_title": {"en": "Chinese-German Industrial Cities Alliance", "de": "Chinesisch-Deutsche Industriestädteallianz",
                   "zh": "中德工业城市联盟"},
    "home_open_editor": {"en": "Open the query editor", "de": "Abfrage-Editor öffnen", "zh": "打开查询编辑器"},
    "home_alliance": {"en": "The alliance", "de": "Die Allianz", "zh": "联盟"},
    "home_members_query": {"en": "The members as a query", "de": "Die Mitglieder als Abfrage", "zh": "成员查询"},
    "home_lead": {"en": "A linked-data knowledge graph of the alliance of German and Chinese industrial cities founded in 2016 "
                        "at the Hannover Messe: its {members} members, how Cologne joined, who initiated it — every statement "
                        "traceable to the passage of the source it comes from. {triples} statements in {graphs} named graphs.",
                  "de": "Ein Linked-Data-Wissensgraph über die 2016 auf der Hannover Messe gegründete Allianz deutscher und "
                        "chinesischer Industriestädte: ihre {members} Mitglieder, wie Köln beitrat, wer sie angestoßen hat – "
                        "jede Aussage führt zu der Stelle der Quelle zurück, aus der sie stammt. "
                        "{triples} Aussagen in {graphs} benannten Graphen.",
                  "zh": "关于 2016 年在汉诺威工业博览会上成立的中德工业城市联盟的关联数据知识图谱：{members} 个成员、"
                        "科隆如何加入、由谁发起——每条陈述都可追溯到其出处的原文段落。"
                        "共 {triples} 条陈述，分属 {graphs} 个命名图。"},
    "home_members_total": {"en": "{count} members: ", "de": "{count} Mitglieder: ", "zh": "共 {count} 个成员："},
    "home_members_count": {"en": "{count} in {country}", "de": "{count} in {country}", "zh": "{country} {count} 个"},
    "list_separator": {"en": ", ", "de": ", ", "zh": "，"},
    "full_stop": {"en": ".", "de": ".", "zh": "。"},
    "home_members_in": {"en": "Members in {country}", "de": "Mitglieder in {country}", "zh": "{country}的成员"},
    "country_germany": {"en": "Germany", "de": "Deutschland", "zh": "德国"},
    "country_china": {"en": "China", "de": "China", "zh": "中国"},
    "home_all_graphs": {"en": "all named graphs", "de": "alle benannten Graphen", "zh": "含全部命名图"},
    "home_asserted_only": {"en": "asserted statements only", "de": "nur die erfassten Aussagen, ohne gefolgerte",
                           "zh": "仅含原始陈述，不含推理结果"},
    "home_ontology_void": {"en": "{ontology} and the {void}", "de": "{ontology} und die {void}", "zh": "{ontology}与 {void}"},
    "home_ontology": {"en": "The ontology", "de": "Die Ontologie", "zh": "本体"},
    "home_void": {"en": "VoID description", "de": "VoID-Beschreibung", "zh": "VoID 描述"},
    "home_programs_text": {"en": "SPARQL 1.1 endpoint at {endpoint}; every {iri} IRI dereferences here with content negotiation.",
                           "de": "SPARQL-1.1-Endpunkt unter {endpoint}; jede IRI unter {iri} lässt sich hier auflösen, "
                                 "mit Content-Negotiation.",
                           "zh": "SPARQL 1.1 端点：{endpoint}；每个以 {iri} 开头的 IRI 都可在此解析（支持内容协商）。"},
    "district_title": {"en": "a district (of Shenzhen), not a city", "de": "ein Bezirk (von Shenzhen), keine Stadt",
                       "zh": "（深圳的）一个区，而非城市"},
    "ambiguous_title": {"en": "the source's name fits more than one place; not on the map",
                        "de": "Der Name in der Quelle passt auf mehr als einen Ort; nicht auf der Karte",
                        "zh": "原文中的名称可指多个地点，因此未标在地图上"},
    "no_coordinates_title": {"en": "no verified coordinates", "de": "keine geprüften Koordinaten", "zh": "没有经过核实的坐标"},
    "home_questions": {"en": "Questions to start from", "de": "Fragen zum Einstieg", "zh": "入门问题"},
    "home_data": {"en": "The data", "de": "Die Daten", "zh": "数据"},
    "home_catalog": {"en": "The catalog record (DCAT-AP) for open-data portals",
                     "de": "Der Katalogeintrag (DCAT-AP) für Open-Data-Portale", "zh": "供开放数据门户使用的目录记录（DCAT-AP）"},
    "home_programs": {"en": "For programs", "de": "Für Programme", "zh": "程序接口"},
    "home_cite": {"en": "Cite this dataset", "de": "Diesen Datensatz zitieren", "zh": "引用本数据集"},
    "district": {"en": "district", "de": "Bezirk", "zh": "区"},
    "ambiguous": {"en": "ambiguous", "de": "mehrdeutig", "zh": "有歧义"},
    "no_coordinates": {"en": "no coordinates", "de": "keine Koordinaten", "zh": "无坐标"},
    # query page
    "query_title": {"en": "Query the knowledge graph", "de": "Den Wissensgraphen abfragen", "zh": "查询知识图谱"},
    "sparql_query": {"en": "SPARQL query", "de": "SPARQL-Abfrage", "zh": "SPARQL 查询"},
    "query_description": {"en": "Ask the Chinese-German Industrial Cities Alliance knowledge graph in SPARQL: "
                                "editor with completion, result table, map and downloads.",
                          "de": "Den Wissensgraphen der Chinesisch-Deutschen Industriestädteallianz mit SPARQL befragen: "
                                "Editor mit Vervollständigung, Ergebnistabelle, Karte und Downloads.",
                          "zh": "用 SPARQL 查询中德工业城市联盟知识图谱：带自动补全的编辑器、结果表格、地图和下载。"},
    "query_lead": {"en": "{triples} statements in {graphs} named graphs; the default graph is their union. "
                         "Results are capped at {rows} rows; a query stops after {timeout} s.",
                   "de": "{triples} Aussagen in {graphs} benannten Graphen; der Standardgraph ist ihre Vereinigung. "
                         "Ergebnisse haben höchstens {rows} Zeilen; eine Abfrage bricht nach {timeout} s ab.",
                   "zh": "{graphs} 个命名图中共有 {triples} 条陈述，默认图是它们的并集。"
                         "结果最多 {rows} 行；查询超过 {timeout} 秒即中止。"},
    "example_start": {"en": "Start from an example query", "de": "Mit einer Beispielabfrage beginnen", "zh": "从示例查询开始"},
    "keys_run": {"en": "runs", "de": "ausführen", "zh": "运行"},
    "keys_complete": {"en": "completes", "de": "vervollständigen", "zh": "补全"},
    "keys_leave": {"en": "leaves the editor", "de": "Editor verlassen", "zh": "离开编辑器"},
    "query_results": {"en": "Query results", "de": "Abfrageergebnisse", "zh": "查询结果"},
    "result_format": {"en": "Result format", "de": "Ergebnisformat", "zh": "结果格式"},
    "run_query": {"en": "Run query", "de": "Abfrage ausführen", "zh": "运行查询"},
    "new_query": {"en": "New query", "de": "Neue Abfrage", "zh": "新查询"},
    "examples": {"en": "Example questions", "de": "Beispielfragen", "zh": "示例问题"},
    "named_graphs": {"en": "Named graphs", "de": "Benannte Graphen", "zh": "命名图"},
    "prefixes": {"en": "Prefixes", "de": "Präfixe", "zh": "前缀"},
    "history": {"en": "Query history (this browser)", "de": "Verlauf (dieser Browser)", "zh": "查询历史（本浏览器）"},
    "saved_queries": {"en": "Saved queries (this browser)", "de": "Gespeicherte Abfragen (dieser Browser)",
                      "zh": "已保存的查询（本浏览器）"},
    "save_query": {"en": "Save this query", "de": "Diese Abfrage speichern", "zh": "保存此查询"},
    "code": {"en": "Code", "de": "Code", "zh": "代码"},
    "code_heading": {"en": "This query as a program", "de": "Diese Abfrage als Programm", "zh": "此查询的程序代码"},
    "clear_history": {"en": "Clear history", "de": "Verlauf löschen", "zh": "清除历史"},
    # resource pages
    "statements": {"en": "Statements", "de": "Aussagen", "zh": "陈述"},
    "referenced_by": {"en": "Referenced by", "de": "Verwiesen von", "zh": "被引用"},
    "sources": {"en": "Sources", "de": "Quellen", "zh": "来源"},
    "property": {"en": "Property", "de": "Eigenschaft", "zh": "属性"},
    "value": {"en": "Value", "de": "Wert", "zh": "值"},
    "graph": {"en": "Graph", "de": "Graph", "zh": "图"},
    "subject": {"en": "Subject", "de": "Subjekt", "zh": "主语"},
    "query_this": {"en": "Query this resource", "de": "Diese Ressource abfragen", "zh": "查询此资源"},
    "resource_description": {"en": "{label}: what the Chinese-German Industrial Cities Alliance knowledge graph says "
                                   "about it, and where each statement comes from.",
                             "de": "{label}: was der Wissensgraph der Chinesisch-Deutschen Industriestädteallianz darüber "
                                   "sagt und woher jede Aussage stammt.",
                             "zh": "{label}：中德工业城市联盟知识图谱中的相关陈述及每条陈述的出处。"},
    "statements_table": {"en": "Its statements as a table", "de": "Aussagen als Tabelle", "zh": "以表格列出其陈述"},
    "points_to_it": {"en": "What points to it", "de": "Was darauf verweist", "zh": "哪些资源指向它"},
    "passage_link": {"en": "(passage)", "de": "(Textstelle)", "zh": "（原文段落）"},
    "place_and_time": {"en": "Place and time", "de": "Ort und Zeit", "zh": "地点与时间"},
    "where": {"en": "Where", "de": "Ort", "zh": "地点"},
    "timeline": {"en": "Timeline", "de": "Zeitleiste", "zh": "时间线"},
    "cite_in": {"en": "In:", "de": "In:", "zh": "载于:"},
    "cite_version": {"en": "data version", "de": "Datenversion", "zh": "数据版本"},
    "cite_retrieved": {"en": "retrieved", "de": "abgerufen am", "zh": "访问于"},
    "cite_licence": {"en": "Licence", "de": "Lizenz", "zh": "许可协议"},
    "cite_as": {"en": "Cite as", "de": "Zitieren als", "zh": "引用格式"},
    "also_as": {"en": "Also as", "de": "Auch als", "zh": "其他格式"},
    # ontology and shapes
    "ontology_title": {"en": "The alliance ontology", "de": "Die Allianz-Ontologie", "zh": "联盟本体"},
    "classes": {"en": "Classes", "de": "Klassen", "zh": "类"},
    "properties": {"en": "Properties", "de": "Eigenschaften", "zh": "属性"},
    "overview": {"en": "How the classes connect", "de": "Wie die Klassen zusammenhängen", "zh": "类之间的关系"},
    "definition": {"en": "Definition", "de": "Definition", "zh": "定义"},
    "superclasses": {"en": "Super-classes", "de": "Oberklassen", "zh": "父类"},
    "superproperties": {"en": "Super-properties", "de": "Obereigenschaften", "zh": "父属性"},
    "domain": {"en": "Domain", "de": "Definitionsbereich", "zh": "定义域"},
    "range": {"en": "Range", "de": "Wertebereich", "zh": "值域"},
    "why": {"en": "Why", "de": "Warum", "zh": "原因"},
    "constrained_by": {"en": "Shapes that constrain it", "de": "Regeln, die es einschränken", "zh": "约束它的形状"},
    "reused": {"en": "Terms reused from other vocabularies", "de": "Wiederverwendete Begriffe anderer Vokabulare",
               "zh": "复用的外部术语"},
    "module": {"en": "Module", "de": "Modul", "zh": "模块"},
    "shapes_title": {"en": "What a valid record must have", "de": "Was ein gültiger Datensatz haben muss",
                     "zh": "有效记录须满足的条件"},
    "severity": {"en": "Severity", "de": "Schwere", "zh": "级别"},
    "rule": {"en": "Rule", "de": "Regel", "zh": "规则"},
    "applies_to": {"en": "Applies to", "de": "Gilt für", "zh": "适用于"},
    # memo
    "memo_title": {"en": "The memo, paragraph by paragraph", "de": "Die Vorlage, Absatz für Absatz", "zh": "原始文件（逐段）"},
    "memo_derived": {"en": "Statements derived from this passage", "de": "Aus diesem Absatz abgeleitete Aussagen",
                     "zh": "由本段得出的陈述"},
    "memo_corrections": {"en": "OCR corrections", "de": "OCR-Korrekturen", "zh": "OCR 更正"},
    "memo_title_corrections": {"en": "OCR corrections (title):", "de": "OCR-Korrekturen (Titel):", "zh": "OCR 更正（标题）："},
    "as_printed": {"en": "as printed (OCR)", "de": "wie gedruckt (OCR)", "zh": "原文（OCR）"},
    "as_corrected": {"en": "as corrected", "de": "korrigiert", "zh": "更正后"},
}

#: The keys scripts need (they get them in the chosen language with the page's config).
SCRIPT_KEYS = ("no_match", "matched_as", "run_query")


def t(key: str, lang: str | None = None) -> str:
    """The interface text ``key`` in ``lang`` (default: the reader's), English if missing there."""
    texts = MESSAGES[key]
    return texts.get(lang or ui_language()) or texts["en"]


def tf(key: str, **values: object) -> Markup:
    """The interface text ``key`` with its ``{placeholders}`` filled: the text is escaped, and so
    is each value unless it is markup already (a link or ``<code>`` a template built)."""
    return Markup.escape(t(key)).format(**values)


def script_messages() -> dict[str, str]:
    return {key: t(key) for key in SCRIPT_KEYS}
