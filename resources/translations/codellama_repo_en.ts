<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ContextTable</name>
    <message numerus="yes">
        <source>{count} chunks + repository map ({map} tokens): {used} of {budget} tokens</source>
        <translation>
            <numerusform>{count} chunk + repository map ({map} tokens): {used} of {budget} tokens</numerusform>
            <numerusform>{count} chunks + repository map ({map} tokens): {used} of {budget} tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RepoPane</name>
    <message numerus="yes">
        <source>%n tokens; {reused} of {prompt} prompt tokens reused from the cache</source>
        <translation>
            <numerusform>%n token; {reused} of {prompt} prompt tokens reused from the cache</numerusform>
            <numerusform>%n tokens; {reused} of {prompt} prompt tokens reused from the cache</numerusform>
        </translation>
    </message>
</context>
</TS>
